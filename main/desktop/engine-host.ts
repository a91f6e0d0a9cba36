/**
 * The engine host: the process the desktop shell starts to run the engine.
 * Plain Node (never imports electron): in a clone it runs on the Node that
 * ran `gatehouse start`, in a packaged app on Electron's own Node
 * (ELECTRON_RUN_AS_NODE=1), whose native modules electron-builder rebuilt.
 *
 * It runs the engine and its HTTP/WebSocket server on 127.0.0.1 and talks to
 * the shell over the IPC channel (host-protocol.ts). When the shell goes
 * away (the channel disconnects) it stops the engine cleanly and exits.
 */
import fs from 'node:fs';
import { Engine } from '../engine/engine.js';
import { remoteAccessOf, securityOf } from '../engine/config/schema.js';
import { HttpServer } from '../server/http.js';
import { loadTls } from '../server/tls.js';
import { DataPaths } from '../engine/paths.js';
import { logger } from '../engine/log.js';
import { WrappedKeySecretBox } from './wrapped-key.js';
import { isShellMessage, type HostMessage, type ShellMessage } from './host-protocol.js';

const log = logger('desktop-host');

let engine: Engine | null = null;
let server: HttpServer | null = null;
/** The remote-access listener (HTTPS, for phones and other PCs), when on. */
let remoteServer: HttpServer | null = null;
let stopping = false;

function send(m: HostMessage): void {
  // With a callback, a channel that broke under us (the shell just went away: EPIPE) is not an uncaught
  // exception; the 'disconnect' that follows stops the engine.
  if (process.connected) process.send?.(m, undefined, {}, () => {});
}

async function shutdown(why: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info(`${why}: stopping the engine`);
  const force = setTimeout(() => {
    engine?.children?.killAllSync();
    process.exit(code || 1);
  }, 12_000);
  force.unref();
  try {
    await remoteServer?.stop();
    await server?.stop();
    await engine?.stop();
  } catch (err) {
    log.error('the engine did not stop cleanly', err);
  }
  send({ type: 'stopped' });
  process.exit(code);
}

async function start(m: Extract<ShellMessage, { type: 'start' }>): Promise<void> {
  if (engine) return;
  const paths = new DataPaths(m.dataDir);
  const isNew = !fs.existsSync(paths.config);
  let secrets: WrappedKeySecretBox | undefined;
  try {
    secrets = m.key ? new WrappedKeySecretBox(Buffer.from(m.key, 'base64'), paths.secretKey) : undefined;
  } catch (err) {
    log.error(`${(err as Error).message}; using the key file instead`);
  }
  engine = new Engine({ dataDir: m.dataDir, adminPassword: m.adminPassword, demo: m.demoIfNew && isNew, headless: false, secrets });
  try {
    await engine.start();
  } catch (err) {
    send({ type: 'fatal', message: (err as Error).message });
    await engine.stop().catch(() => {});
    process.exit(3);
  }
  if (engine.generatedAdminPassword) send({ type: 'adminPassword', password: engine.generatedAdminPassword });

  let url: string;
  try {
    server = new HttpServer(engine, { port: m.port, host: '127.0.0.1' });
    url = await server.start();
  } catch (err) {
    if (m.port === 0) {
      send({ type: 'fatal', message: (err as Error).message });
      return shutdown('the server could not listen', 3);
    }
    // The port of the previous run was taken meanwhile: take any free one.
    log.warn(`${(err as Error).message}; picking a free port`);
    server = new HttpServer(engine, { port: 0, host: '127.0.0.1' });
    url = await server.start();
  }
  send({ type: 'listening', url, version: engine.version });
  await startRemote(m);

  let recording: boolean | null = null;
  const check = () => {
    const now = (engine?.cameras.counts().recording ?? 0) > 0;
    if (now !== recording) {
      recording = now;
      send({ type: 'recording', active: now });
    }
  };
  engine.bus.on('camera.status', check);
  engine.bus.on('cameras.changed', check);
  check();
}

/**
 * The second listener, for other machines: always HTTPS (the admin's
 * certificate or the self-signed one in the data dir), on the setting's
 * address and port. If it fails the local console works on; the shell is told why.
 */
async function startRemote(m: Extract<ShellMessage, { type: 'start' }>): Promise<void> {
  if (!engine) return;
  const setting = remoteAccessOf(engine.config.data);
  const want = m.remote ? { ...setting, ...m.remote, enabled: true } : setting;
  if (!want.enabled) return;
  try {
    const tls = await loadTls({
      dataDir: m.dataDir,
      certFile: want.certFile ?? undefined,
      keyFile: want.keyFile ?? undefined,
      names: [want.host, ...securityOf(engine.config.data).allowedHosts],
    });
    remoteServer = new HttpServer(engine, { port: want.port, host: want.host, tls, primary: false });
    const url = await remoteServer.start();
    for (const n of tls.notes) log.warn(`remote access: ${n}`);
    log.info(`remote access on ${url} (HTTPS), certificate SHA-256 ${tls.info.fingerprint256}`);
    send({ type: 'remote', url, fingerprint: tls.info.fingerprint256 });
  } catch (err) {
    remoteServer = null;
    const message = `remote access is off: ${(err as Error).message}`;
    log.error(message);
    send({ type: 'remoteFailed', message });
  }
}

if (!process.send) {
  console.error('engine-host is started by the Gatehouse desktop shell; to run the engine yourself use: gatehouse serve');
  process.exit(2);
}

process.on('message', (m: unknown) => {
  if (!isShellMessage(m)) return;
  if (m.type === 'start') void start(m);
  else if (m.type === 'stop') void shutdown('the desktop shell asked to stop', 0);
});
process.on('disconnect', () => void shutdown('the desktop shell went away', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
process.on('SIGINT', () => void shutdown('SIGINT', 0));
process.on('SIGHUP', () => void shutdown('SIGHUP', 0));
process.on('exit', () => engine?.children?.killAllSync());
process.on('uncaughtException', (err) => log.error('uncaught exception; the engine keeps running', err));
process.on('unhandledRejection', (err) => log.error('unhandled rejection; the engine keeps running', err));
