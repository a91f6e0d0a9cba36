import { Engine } from '../../engine/engine.js';
import { isLoopbackHost } from '../../engine/system/exposure.js';
import { HttpServer } from '../../server/http.js';
import { loadTls, TlsError, type TlsMaterial } from '../../server/tls.js';
import { logger, redact } from '../../engine/log.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, type Command, type OptionHelp } from '../args.js';

const log = logger('serve');

export interface ServeOptions {
  dataDir: string;
  port: number;
  host: string;
  demo: boolean;
  adminPassword?: string;
  /** MQTT broker URL for sensors and alarm notices. */
  mqtt?: string;
  /** Add the demo cameras when no camera is configured (first `npm start`). */
  demoIfEmpty?: boolean;
  /** Host names the console is reached by, besides loopback and --host (--allowed-hosts). */
  allowedHosts?: string[];
  /** Serve HTTPS (--tls): the admin's files, or (both absent) a self-signed certificate in the data dir. */
  tls?: { certFile?: string; keyFile?: string } | null;
  /** Plain HTTP on a non-loopback address, knowingly (--insecure-http). */
  insecureHttp?: boolean;
}

/** The options serve and start share for HTTPS. */
export const tlsOptions = {
  tls: { type: 'boolean' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'insecure-http': { type: 'boolean' },
} as const;
export const tlsHelp: OptionHelp[] = [
  { flag: '--tls', help: 'serve HTTPS/WSS only, with a self-signed certificate made in the data dir (tls/) unless --cert and --key are given; its SHA-256 fingerprint is printed' },
  { flag: '--cert FILE', help: 'PEM certificate (chain) to serve, e.g. from your CA or Let\'s Encrypt (implies --tls; needs --key)' },
  { flag: '--key FILE', help: 'PEM private key of --cert, unencrypted, readable only by this account' },
  { flag: '--insecure-http', help: 'allow plain HTTP on a non-loopback --host (a TLS reverse proxy in front, or a network you trust); a warning is printed' },
];

/** --tls/--cert/--key/--insecure-http as ServeOptions; a usage error for a half or contradictory set. */
export function tlsArgs(values: Record<string, unknown>, host: string): Pick<ServeOptions, 'tls' | 'insecureHttp'> {
  const certFile = values.cert as string | undefined;
  const keyFile = values.key as string | undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) throw new CliError(certFile ? '--cert needs --key (the private key of that certificate)' : '--key needs --cert (the certificate of that key)');
  const tls = !!values.tls || certFile !== undefined;
  const insecureHttp = !!values['insecure-http'];
  if (tls && insecureHttp) throw new CliError('--insecure-http is for plain HTTP; leave it out with --tls, --cert and --key');
  if (!tls && !insecureHttp && !isLoopbackHost(host)) {
    throw new CliError(
      `refusing to serve plain HTTP on ${host}: other machines would send passwords, session cookies and video unencrypted. ` +
        'Add --tls (a self-signed certificate is made for you, its fingerprint printed), or --cert FILE --key FILE with your own; ' +
        'or, behind a TLS reverse proxy or on a network you trust, --insecure-http',
    );
  }
  return { tls: tls ? { certFile, keyFile } : null, insecureHttp };
}

/**
 * Take the secrets out of this process's command line as `ps` and
 * /proc/<pid>/cmdline show it to every local user (Linux: the title
 * overwrites the original argv). The admin password belongs in
 * GATEHOUSE_ADMIN_PASSWORD or the first-start prompt, not in argv.
 */
export function hideSecretArgs(command: string, argv: string[]): void {
  const shown: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--admin-password' || arg === '--password') {
      shown.push(arg, '***');
      i++;
    } else if (/^--(admin-)?password=/.test(arg)) shown.push(arg.replace(/=.*$/, '=***'));
    else shown.push(redact(arg));
  }
  try {
    process.title = ['gatehouse', command, ...shown].join(' ');
  } catch {
    /* not supported here */
  }
}

/** "--allowed-hosts a,b c" → ["a", "b", "c"], each checked like security.allowedHosts. */
export function allowedHostsOf(v: unknown): string[] {
  if (v === undefined) return [];
  const list = String(v)
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
  for (const h of list) {
    if (!/^(\*\.)?[A-Za-z0-9_.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/.test(h)) throw new CliError(`--allowed-hosts: "${h}" is not a host name or address (no scheme, no port: nvr.example.org, *.example.org, 192.168.1.20)`);
  }
  return list;
}

/** Run the engine headless with the HTTP/WebSocket console until a signal stops it. */
export async function runServer(o: ServeOptions): Promise<{ engine: Engine; server: HttpServer }> {
  // The certificate is checked before anything starts: a bad one must not end with the console served in plain text.
  let tls: TlsMaterial | undefined;
  if (o.tls) {
    try {
      tls = await loadTls({ dataDir: o.dataDir, certFile: o.tls.certFile, keyFile: o.tls.keyFile, names: [...(o.allowedHosts ?? []), o.host] });
    } catch (err) {
      if (err instanceof TlsError) throw new CliError(`${err.message}. Nothing was started.`, 1);
      throw err;
    }
  } else if (!isLoopbackHost(o.host) && !o.insecureHttp) {
    throw new CliError(`refusing to serve plain HTTP on ${o.host}: use --tls (or --insecure-http behind a TLS proxy)`, 2);
  }
  const engine = new Engine({ dataDir: o.dataDir, adminPassword: o.adminPassword, demo: o.demo, headless: true, mqttUrl: o.mqtt });
  let server: HttpServer | null = null;
  let shuttingDown = false;
  const shutdown = async (why: string, code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info(`${why}: shutting down`);
    const force = setTimeout(() => {
      engine.children?.killAllSync();
      process.exit(code || 1);
    }, 10_000);
    force.unref();
    try {
      await server?.stop();
      await engine.stop();
    } finally {
      process.exit(code);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('SIGHUP', () => void shutdown('SIGHUP', 0));
  process.on('exit', () => engine.children?.killAllSync());
  process.on('uncaughtException', (err) => {
    log.error('uncaught exception; the engine keeps running', err);
  });
  process.on('unhandledRejection', (err) => {
    log.error('unhandled rejection; the engine keeps running', err);
  });

  try {
    if (o.demoIfEmpty) {
      const { openConfig } = await import('../offline.js');
      const { store } = await openConfig(o.dataDir);
      if (store.data.cameras.length === 0) engine.opts.demo = true;
    }
    await engine.start();
  } catch (err) {
    await engine.stop().catch(() => {});
    throw new CliError((err as Error).message, 1);
  }
  server = new HttpServer(engine, { port: o.port, host: o.host, allowedHosts: o.allowedHosts, tls });
  try {
    await server.start();
  } catch (err) {
    await engine.stop();
    throw new CliError((err as Error).message, 1);
  }
  const cams = engine.cameras.counts();
  console.log('');
  console.log(`  Gatehouse ${engine.version} is running.`);
  console.log(`  Console:  ${server.url}/`);
  console.log(`  Data dir: ${engine.paths.root}`);
  console.log(`  Cameras:  ${cams.total}${engine.config.data.cameras.some((c) => c.demo) ? ' (including DEMO cameras; remove them in Cameras)' : ''}`);
  if (tls) {
    const i = tls.info;
    console.log(`  HTTPS:    ${i.source === 'generated' ? 'self-signed certificate' : 'certificate'} ${i.certFile}, valid until ${i.validTo.slice(0, 10)}`);
    console.log(`            SHA-256 fingerprint ${i.fingerprint256}`);
    console.log('            Check that your browser shows this fingerprint before you log in (also in Settings → Remote access).');
    for (const n of tls.notes) console.log(`  Note:     ${n}`);
  } else if (o.insecureHttp && !isLoopbackHost(o.host)) {
    console.log('');
    console.log(`  WARNING: plain HTTP on ${o.host} (--insecure-http): passwords, session cookies and video cross the network unencrypted.`);
    console.log('           Use it only behind a TLS reverse proxy, or on a network you trust; else start with --tls.');
  }
  if (engine.generatedAdminPassword) {
    console.log('');
    console.log(`  First start: log in as "admin" with password  ${engine.generatedAdminPassword}`);
    console.log('  It is shown only this once. Change it under Settings, or start with --admin-password.');
  }
  if (!isLoopbackHost(o.host)) {
    console.log(`  Listening on ${o.host}: other machines on the network can reach this console; admins sign in with a two-factor code.`);
    console.log(
      `  It answers to ${['0.0.0.0', '::'].includes(o.host) ? "this machine's addresses" : o.host}${o.allowedHosts?.length ? ', ' + o.allowedHosts.join(', ') : ''} and loopback; add the names your site uses with --allowed-hosts.`,
    );
  }
  console.log('  Stop with Ctrl+C.');
  console.log('');
  return { engine, server };
}

export function portOf(v: unknown): number {
  const port = v === undefined ? 8780 : Number(v);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port: "${String(v)}" is not a port number (0-65535)`);
  return port;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the engine headless and serve the console over HTTP/WebSocket',
  async run(argv) {
    const a = parse(
      argv,
      'gatehouse serve [--data DIR] [--port N] [--host ADDR] [--allowed-hosts NAMES] [--tls [--cert FILE --key FILE] | --insecure-http] [--demo] [--admin-password PW] [--mqtt URL]',
      {
        ...dataOption,
        ...tlsOptions,
        port: { type: 'string' },
        host: { type: 'string' },
        'allowed-hosts': { type: 'string' },
        demo: { type: 'boolean' },
        'admin-password': { type: 'string' },
        mqtt: { type: 'string' },
      },
      [
        dataHelp,
        { flag: '--port N', help: 'HTTP port (default 8780; 0 picks a free one)' },
        { flag: '--host ADDR', help: 'address to bind (default 127.0.0.1; 0.0.0.0 opens the console to the LAN and needs --tls or --insecure-http)' },
        { flag: '--allowed-hosts NAMES', help: 'comma-separated host names the console is reached by, e.g. nvr.example.org (besides loopback and --host; see docs/security.md)' },
        ...tlsHelp,
        { flag: '--demo', help: 'add the four DEMO cameras fed from bundled media' },
        { flag: '--admin-password PW', help: 'password of the "admin" user (else GATEHOUSE_ADMIN_PASSWORD, else generated and printed once); hidden from the process list once started' },
        { flag: '--mqtt URL', help: 'MQTT broker for sensors and alarm notices, e.g. mqtt://127.0.0.1:1883 (sensors publish to gatehouse/sensors/<id>)' },
      ],
    );
    if (!a) return 0;
    hideSecretArgs('serve', argv);
    const host = (a.values.host as string | undefined) ?? '127.0.0.1';
    await runServer({
      dataDir: dataDirOf(a.values),
      port: portOf(a.values.port),
      host,
      ...tlsArgs(a.values, host),
      allowedHosts: allowedHostsOf(a.values['allowed-hosts']),
      demo: !!a.values.demo,
      adminPassword: a.values['admin-password'] as string | undefined,
      mqtt: a.values.mqtt as string | undefined,
    });
    return -1;
  },
};
