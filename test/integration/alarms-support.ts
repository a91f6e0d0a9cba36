/**
 * Real parts for the alarm integration tests: the broker helpers of
 * alarms-broker.ts, and an engine with the HTTP transport on a free port.
 */
import path from 'node:path';
import { Engine } from '../../main/engine/engine.js';
import { HttpServer } from '../../main/server/http.js';
import { freePort } from './alarms-broker.js';

export * from './alarms-broker.js';

export interface TestEngine {
  engine: Engine;
  server: HttpServer | null;
  url: string;
  dataDir: string;
  token: string;
  rpc<T = unknown>(method: string, params?: unknown, token?: string | null): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export const ADMIN_PW = 'alarms-test-admin';

/** An engine on `dataDir` (no demo cameras), optionally with MQTT and the HTTP transport. */
export async function startEngine(dataDir: string, o: { mqttUrl?: string; http?: boolean } = {}): Promise<TestEngine> {
  const engine = new Engine({ dataDir, adminPassword: ADMIN_PW, headless: true, mqttUrl: o.mqttUrl ?? null });
  try {
    await engine.start();
  } catch (err) {
    await engine.stop();
    throw err;
  }
  let server: HttpServer | null = null;
  let url = '';
  if (o.http !== false) {
    server = new HttpServer(engine, { port: await freePort(), host: '127.0.0.1', staticDir: path.join(dataDir, 'no-console') });
    url = await server.start();
  }
  const rpc = async <T,>(method: string, params: unknown = {}, token: string | null = null) => {
    if (!server) throw new Error('no HTTP server');
    const r = await fetch(`${url}/api/rpc/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(params),
    });
    return { status: r.status, body: (await r.json()) as T };
  };
  const login = (await engine.handle('auth.login', { username: 'admin', password: ADMIN_PW }, { peer: 'test' })) as { token: string };
  return {
    engine,
    server,
    url,
    dataDir,
    token: login.token,
    rpc,
    stop: async () => {
      await server?.stop();
      await engine.stop();
    },
  };
}
