/**
 * A real mosquitto broker for alarm tests (vitest and Playwright): a free
 * port in the alarms range 18720-18799, optional persistence so it can be
 * restarted without losing queued QoS 1 messages, and an MQTT test client.
 * No engine imports here, so the e2e specs can use it too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';

const MOSQUITTO = process.env.GATEHOUSE_MOSQUITTO ?? '/usr/sbin/mosquitto';
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      r(true);
    });
    s.on('error', () => r(false));
  });
}

export async function freePort(lo = 18720, hi = 18799): Promise<number> {
  const n = hi - lo + 1;
  const start = Math.floor(Math.random() * n);
  for (let i = 0; i < n; i++) {
    const p = lo + ((start + i) % n);
    if (await portFree(p)) return p;
  }
  throw new Error(`no free port in ${lo}-${hi}`);
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `alarms-${name}-`));
}

export interface Broker {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A real mosquitto on 127.0.0.1. With `persist`, it keeps sessions and queued messages across restarts. */
export async function startBroker(o: { persist?: boolean } = {}): Promise<Broker> {
  const dir = tempDir('mosquitto');
  // mosquitto started as root drops to its own user: let it write its persistence file here
  fs.chmodSync(dir, 0o777);
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      `persistence ${o.persist ? 'true' : 'false'}`,
      `persistence_location ${dir}/`,
      'autosave_interval 1',
      'max_queued_messages 10000',
      'log_dest none',
    ].join('\n') + '\n',
  );
  let child: ChildProcess | null = null;
  const start = async () => {
    const c = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    live.add(c);
    let err = '';
    c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    c.on('exit', () => live.delete(c));
    await waitFor(`mosquitto on ${port}`, () => {
      if (c.exitCode !== null) throw new Error(`mosquitto exited: ${err}`);
      return canConnect(port);
    }, 10_000);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 5000).unref();
    });
  };
  await start();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    start,
    stop,
    close: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function mqttClient(url: string, o: { clientId?: string; clean?: boolean } = {}): Promise<MqttClient> {
  const c = mqtt.connect(url, { clientId: o.clientId ?? `test-${Math.random().toString(36).slice(2, 10)}`, clean: o.clean ?? true, reconnectPeriod: 500, protocolVersion: 4 });
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return c;
}

export function publish(c: MqttClient, topic: string, body: unknown): Promise<void> {
  return new Promise((resolve, reject) => c.publish(topic, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 }, (err) => (err ? reject(err) : resolve())));
}
