import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineProcess } from '../../main/desktop/engine-process.js';
import type { HostMessage } from '../../main/desktop/host-protocol.js';
import { repoRoot } from '../fixtures/media.js';

// The engine host runs under plain Node (tsx for the TypeScript source here),
// exactly as the desktop shell starts it in a clone.
const host = path.join(repoRoot, 'main', 'desktop', 'engine-host.ts');

let dir: string;
let proc: EngineProcess | null = null;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-host-'));
});
afterEach(async () => {
  await proc?.stop(5000);
  proc = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

function start(extra: Partial<ConstructorParameters<typeof EngineProcess>[0]> = {}) {
  const messages: HostMessage[] = [];
  const exits: Array<{ restartInMs: number | null; reason: string }> = [];
  proc = new EngineProcess({
    command: process.execPath,
    args: ['--import', 'tsx', host],
    env: { ...process.env, GATEHOUSE_LOG: 'warn' },
    start: { dataDir: path.join(dir, 'data'), port: 0, adminPassword: 'admin-password', demoIfNew: false, key: null },
    logFile: path.join(dir, 'host.log'),
    minBackoffMs: 100,
    onMessage: (m) => messages.push(m),
    onExit: (e) => exits.push(e),
    ...extra,
  });
  proc.start();
  return { messages, exits };
}

const listening = (messages: HostMessage[], n = 1) => messages.filter((m) => m.type === 'listening').length >= n;

describe('EngineProcess + engine host', () => {
  it('starts the engine on loopback, restarts it on the same port after a crash, and stops it cleanly', async () => {
    const { messages, exits } = start();
    await expect.poll(() => listening(messages), { timeout: 30_000 }).toBe(true);
    const url = proc!.url!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/api/health`)).json()).toMatchObject({ status: 'ok' });
    expect(messages).toContainEqual({ type: 'recording', active: false });

    const login = await fetch(`${url}/api/rpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-password' }) });
    const { token } = (await login.json()) as { token: string };

    const pid = proc!.pid!;
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => exits.length, { timeout: 10_000 }).toBe(1);
    expect(exits[0]!.restartInMs).toBe(100);
    await expect.poll(() => listening(messages, 2), { timeout: 30_000 }).toBe(true);
    expect(proc!.url).toBe(url);
    expect(proc!.restarts).toBe(1);
    // Sessions live in the index: a login from before the crash still works.
    const me = await fetch(`${url}/api/rpc/auth.me`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toEqual({ username: 'admin', role: 'admin' });

    const pid2 = proc!.pid!;
    await proc!.stop(10_000);
    expect(() => process.kill(pid2, 0)).toThrow();
    expect(exits).toHaveLength(1);
  }, 90_000);

  it('does not restart an engine that can not start, and says why', async () => {
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'data', 'config.json'), '{ "schemaVersion": 1, "cameras": [,] }');
    const { messages, exits } = start();
    await expect.poll(() => exits.length, { timeout: 30_000 }).toBe(1);
    expect(exits[0]!.restartInMs).toBeNull();
    expect(exits[0]!.reason).toMatch(/config\.json.*not valid JSON/);
    expect(messages.some((m) => m.type === 'fatal')).toBe(true);
  }, 60_000);

  it('reports a generated admin password once, and stops when the shell goes away', async () => {
    const { messages } = start({ start: { dataDir: path.join(dir, 'data2'), port: 0, demoIfNew: true, key: null } });
    await expect.poll(() => listening(messages), { timeout: 30_000 }).toBe(true);
    expect(messages.find((m) => m.type === 'adminPassword')).toMatchObject({ password: expect.stringMatching(/^\w{4}-\w{4}-\w{4}-\w{4}$/) });
    const cams = JSON.parse(fs.readFileSync(path.join(dir, 'data2', 'config.json'), 'utf8')).cameras as unknown[];
    expect(cams.length).toBe(4);
    const pid = proc!.pid!;
    // Simulate the shell dying: its end of the IPC channel closes.
    (proc as unknown as { child: { disconnect(): void } }).child.disconnect();
    await expect
      .poll(
        () => {
          try {
            process.kill(pid, 0);
            return 'alive';
          } catch {
            return 'gone';
          }
        },
        { timeout: 20_000 },
      )
      .toBe('gone');
  }, 90_000);
});
