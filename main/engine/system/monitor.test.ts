import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../dispatch.js';
import type { CameraRegistry } from '../cameras/registry.js';
import { ProcessMonitor, lagStats, openFds } from './monitor.js';
import { systemConcern } from './handlers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* hold the event loop */
  }
}

describe('ProcessMonitor', () => {
  let m: ProcessMonitor | null = null;
  afterEach(() => {
    m?.stop();
    m = null;
  });

  it('reports the lag of a blocked event loop in the window it happened in, and since the start', async () => {
    m = new ProcessMonitor({ children: () => 3, windowMs: 300 });
    m.start();
    expect(m.status().eventLoop.last).toBeNull(); // no whole window yet
    await sleep(50);
    block(150);
    await sleep(400); // the window that held the block has closed
    const s = m.status();
    expect(s.children).toBe(3);
    expect(s.pid).toBe(process.pid);
    // a 150 ms block delays the 20 ms timer by at least ~130 ms, however busy the machine is
    const seen = Math.max(s.eventLoop.last?.maxMs ?? 0, s.eventLoop.sinceStart?.maxMs ?? 0);
    expect(seen).toBeGreaterThanOrEqual(100);
    expect(s.eventLoop.sinceStart!.samples).toBeGreaterThan(0);
    expect(s.eventLoop.sinceStart!.p50Ms).toBeLessThanOrEqual(s.eventLoop.sinceStart!.p99Ms);
    expect(s.eventLoop.utilization).not.toBeNull();
    expect(s.memory.rssBytes).toBeGreaterThan(0);
  });

  it('counts open file descriptors', () => {
    const n = openFds();
    if (process.platform === 'linux') expect(n).toBeGreaterThan(2);
  });

  it('summarises an empty histogram as null', () => {
    expect(lagStats({ count: 0, percentile: () => 0, max: 0, mean: 0 }, 1)).toBeNull();
    expect(lagStats({ count: 4, percentile: (p) => p * 1e6, max: 5e6, mean: 2e6 }, 10)).toEqual({
      seconds: 10,
      samples: 4,
      p50Ms: 50,
      p99Ms: 99,
      maxMs: 5,
      meanMs: 2,
    });
  });

  it('system.status is for admins only', async () => {
    const c = systemConcern({
      version: 't',
      dataDir: '/tmp/x',
      startedAt: new Date().toISOString(),
      headless: true,
      cameras: { counts: () => ({ total: 0, recording: 0, offline: 0 }) } as unknown as CameraRegistry,
      ffmpeg: () => null,
      children: () => 0,
    });
    const users: Record<string, { username: string; role: 'guard' | 'supervisor' | 'admin' }> = {
      g: { username: 'g', role: 'guard' },
      s: { username: 's', role: 'supervisor' },
      a: { username: 'a', role: 'admin' },
    };
    const d = new Dispatcher((t) => (t ? (users[t] ?? null) : null));
    d.add(c.handlers);
    await c.module.start();
    try {
      await expect(d.handle('system.status', {}, { peer: 'test' })).rejects.toThrow(/not logged in/);
      await expect(d.handle('system.status', {}, { token: 'g', peer: 'test' })).rejects.toThrow(/needs the admin role/);
      await expect(d.handle('system.status', {}, { token: 's', peer: 'test' })).rejects.toThrow(/needs the admin role/);
      const s = (await d.handle('system.status', {}, { token: 'a', peer: 'test' })) as { pid: number };
      expect(s.pid).toBe(process.pid);
      await expect(d.handle('system.status', { reset: true }, { token: 'a', peer: 'test' })).rejects.toThrow(/unknown|unrecognized/i);
    } finally {
      await c.module.stop();
    }
  });
});
