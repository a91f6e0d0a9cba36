/**
 * The shell's side of the engine host: starts it, restarts it with backoff
 * when it dies after a good start, and stops it cleanly on quit. No electron
 * import, so it can be tested under plain Node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { isHostMessage, type HostMessage, type ShellMessage } from './host-protocol.js';

/** Signal the host's process group (POSIX); on Windows the host itself (it stops its own children). */
function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, sig);
    else child.kill(sig);
  } catch {
    /* already gone */
  }
}

export type StartParams = Omit<Extract<ShellMessage, { type: 'start' }>, 'type'>;

export interface EngineProcessOptions {
  /** Executable: node in a clone, process.execPath (+ ELECTRON_RUN_AS_NODE) in a packaged app. */
  command: string;
  /** Arguments, ending with the engine-host script. */
  args: string[];
  env?: NodeJS.ProcessEnv;
  start: StartParams;
  /** Append the host's stdout/stderr to this file (and echo it to ours). */
  logFile?: string;
  onMessage?(m: HostMessage): void;
  /** Called when the host exited without being asked to. `restartInMs` is null when it won't be restarted. */
  onExit?(info: { code: number | null; signal: string | null; restartInMs: number | null; reason: string }): void;
  /** Backoff bounds, for tests. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class EngineProcess {
  private child: ChildProcess | null = null;
  private stopping = false;
  private fatal: string | null = null;
  private startedAt = 0;
  private listening = false;
  private backoff: number;
  private restartTimer: NodeJS.Timeout | null = null;
  private log: fs.WriteStream | null = null;
  url: string | null = null;
  restarts = 0;

  constructor(private readonly o: EngineProcessOptions) {
    this.backoff = o.minBackoffMs ?? 1000;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): void {
    if (this.child || this.stopping) return;
    this.fatal = null;
    this.listening = false;
    this.startedAt = Date.now();
    if (this.o.logFile && !this.log) {
      try {
        this.log = fs.createWriteStream(this.o.logFile, { flags: 'a' });
        this.log.on('error', () => (this.log = null));
      } catch {
        this.log = null;
      }
    }
    const child = spawn(this.o.command, this.o.args, {
      env: this.o.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      // Its own process group, so that a stop reaches the whole tree.
      detached: true,
    });
    this.child = child;
    const echo = (chunk: Buffer, out: NodeJS.WriteStream) => {
      out.write(chunk);
      this.log?.write(chunk);
    };
    child.stdout?.on('data', (c: Buffer) => echo(c, process.stdout));
    child.stderr?.on('data', (c: Buffer) => echo(c, process.stderr));
    child.on('message', (m: unknown) => {
      if (!isHostMessage(m)) return;
      if (m.type === 'listening') {
        this.listening = true;
        this.url = m.url;
        // A restart keeps the same origin (and the windows' session cookies) when it can.
        const port = Number(new URL(m.url).port);
        if (port) this.o.start.port = port;
      } else if (m.type === 'fatal') {
        this.fatal = m.message;
      }
      this.o.onMessage?.(m);
    });
    child.on('error', (err) => {
      this.fatal = `could not start the engine (${this.o.command}): ${err.message}`;
    });
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    child.send({ type: 'start', ...this.o.start } satisfies ShellMessage);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    this.url = null;
    if (this.stopping) return;
    let restartInMs: number | null = null;
    let reason: string;
    if (this.fatal) reason = this.fatal;
    else if (!this.listening) reason = `the engine exited during start-up (code ${code ?? signal})`;
    else {
      reason = `the engine stopped unexpectedly (code ${code ?? signal})`;
      if (Date.now() - this.startedAt > 60_000) this.backoff = this.o.minBackoffMs ?? 1000;
      restartInMs = this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.o.maxBackoffMs ?? 30_000);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this.restarts++;
        this.start();
      }, restartInMs);
    }
    this.o.onExit?.({ code, signal, restartInMs, reason });
  }

  /** Ask the host to stop; SIGTERM, then SIGKILL its process group if it does not. */
  async stop(timeoutMs = 15_000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.log?.end();
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const wait = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    if (child.connected) {
      try {
        child.send({ type: 'stop' } satisfies ShellMessage);
      } catch {
        signal(child, 'SIGTERM');
      }
    } else signal(child, 'SIGTERM');
    if (!(await wait(timeoutMs))) {
      signal(child, 'SIGTERM');
      if (!(await wait(3000))) {
        signal(child, 'SIGKILL');
        await wait(2000);
      }
    }
    this.log?.end();
  }
}
