/**
 * Messages between the desktop shell (Electron main) and the engine host
 * (a Node child process running engine-host.ts), over the child's IPC channel.
 * No electron and no engine imports here: both sides use this file.
 */

/** Shell to host. */
export type ShellMessage =
  | {
      type: 'start';
      dataDir: string;
      /** Port to listen on (127.0.0.1). 0 picks a free one; a restart reuses the last port. */
      port: number;
      adminPassword?: string;
      /** Add the DEMO cameras when the data dir is new. */
      demoIfNew: boolean;
      /**
       * The data dir's secret key, unwrapped by the shell with Electron safeStorage
       * (base64, 32 bytes), or null to use the plain key file (secret.key).
       */
      key: string | null;
      /**
       * A remote-access listener from `gatehouse start --tls [--host ADDR] [--cert F --key F]`,
       * over the setting in config.json ("remoteAccess", Settings → Remote access); null: the setting.
       */
      remote?: { host: string; certFile: string | null; keyFile: string | null } | null;
    }
  | { type: 'stop' };

/** Host to shell. */
export type HostMessage =
  | { type: 'listening'; url: string; version: string }
  /** True while at least one camera records: the shell keeps the machine awake. */
  | { type: 'recording'; active: boolean }
  /** The first admin password was generated: show it once. */
  | { type: 'adminPassword'; password: string }
  /** The engine can't start and a restart would not help (bad config, another engine on the data dir). */
  | { type: 'fatal'; message: string }
  /** The remote-access listener (HTTPS) is up: its URL and the certificate's SHA-256 fingerprint. */
  | { type: 'remote'; url: string; fingerprint: string }
  /** It could not start (a bad certificate, the port taken); the local console works on. */
  | { type: 'remoteFailed'; message: string }
  | { type: 'stopped' };

export function isHostMessage(m: unknown): m is HostMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}

export function isShellMessage(m: unknown): m is ShellMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}
