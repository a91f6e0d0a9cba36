import { Engine } from '../../engine/engine.js';
import { HttpServer } from '../../server/http.js';
import { logger, redact } from '../../engine/log.js';
import { CliError, dataDirOf, dataHelp, dataOption, parse, type Command } from '../args.js';

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
  server = new HttpServer(engine, { port: o.port, host: o.host, allowedHosts: o.allowedHosts });
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
  if (engine.generatedAdminPassword) {
    console.log('');
    console.log(`  First start: log in as "admin" with password  ${engine.generatedAdminPassword}`);
    console.log('  It is shown only this once. Change it under Settings, or start with --admin-password.');
  }
  if (o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1') {
    console.log(`  Listening on ${o.host}: other machines on the network can reach this console.`);
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
      'gatehouse serve [--data DIR] [--port N] [--host ADDR] [--allowed-hosts NAMES] [--demo] [--admin-password PW] [--mqtt URL]',
      {
        ...dataOption,
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
        { flag: '--host ADDR', help: 'address to bind (default 127.0.0.1; 0.0.0.0 opens the console to the LAN)' },
        { flag: '--allowed-hosts NAMES', help: 'comma-separated host names the console is reached by, e.g. nvr.example.org (besides loopback and --host; see docs/security.md)' },
        { flag: '--demo', help: 'add the four DEMO cameras fed from bundled media' },
        { flag: '--admin-password PW', help: 'password of the "admin" user (else GATEHOUSE_ADMIN_PASSWORD, else generated and printed once); hidden from the process list once started' },
        { flag: '--mqtt URL', help: 'MQTT broker for sensors and alarm notices, e.g. mqtt://127.0.0.1:1883 (sensors publish to gatehouse/sensors/<id>)' },
      ],
    );
    if (!a) return 0;
    hideSecretArgs('serve', argv);
    await runServer({
      dataDir: dataDirOf(a.values),
      port: portOf(a.values.port),
      host: (a.values.host as string | undefined) ?? '127.0.0.1',
      allowedHosts: allowedHostsOf(a.values['allowed-hosts']),
      demo: !!a.values.demo,
      adminPassword: a.values['admin-password'] as string | undefined,
      mqtt: a.values.mqtt as string | undefined,
    });
    return -1;
  },
};
