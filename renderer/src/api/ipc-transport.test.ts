import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../main/api/contract.js';
import type { DesktopBridge } from '../../../main/api/bridge.js';
import { ApiClient } from './client.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ApiClient over the desktop bridge', () => {
  function bridge(handler: (m: string, p: unknown) => unknown) {
    let onEvent: ((e: string, d: unknown) => void) | null = null;
    let onHello: ((h: { version: string; user: null | { username: string; role: 'admin' } }) => void) | null = null;
    const b: DesktopBridge = {
      kind: 'electron',
      rpc: async (m, p) => {
        try {
          return { result: await handler(m, p) };
        } catch (e) {
          return { error: (e as ApiError).toBody() };
        }
      },
      onEvent: (l) => {
        onEvent = l;
        return () => (onEvent = null);
      },
      onHello: (l) => {
        onHello = l as typeof onHello;
        return () => (onHello = null);
      },
      desktop: async () => {},
    };
    return { b, emit: (e: string, d: unknown) => onEvent?.(e, d), hello: (h: Parameters<NonNullable<typeof onHello>>[0]) => onHello?.(h) };
  }

  it('probes who is logged in, calls through rpc and turns error replies into ApiErrors', async () => {
    const { b } = bridge((m) => {
      if (m === 'system.health') return { status: 'ok', version: '1.2.3', cameras: { total: 0, recording: 0, offline: 0 } };
      if (m === 'auth.me') throw new ApiError('unauthorized', 'not logged in');
      if (m === 'auth.login') return { user: { username: 'admin', role: 'admin' }, token: 'x' };
      if (m === 'cameras.remove') throw new ApiError('not_found', 'no camera with id "nope"', 'id');
      return null;
    });
    const client = new ApiClient({ bridge: b });
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.snapshot()).toMatchObject({ transport: 'ipc', state: 'online', hello: { version: '1.2.3', user: null } });
    await expect(client.login('admin', 'pw')).resolves.toEqual({ username: 'admin', role: 'admin' });
    expect(client.user?.username).toBe('admin');
    await expect(client.call('cameras.remove', { id: 'nope' })).rejects.toMatchObject({ code: 'not_found', field: 'id' });
    client.stop();
  });

  it('delivers bridge events and hellos', async () => {
    const { b, emit, hello } = bridge((m) => (m === 'system.health' ? { version: '1' } : { username: 'a', role: 'admin' }));
    const client = new ApiClient({ bridge: b });
    const got = vi.fn();
    client.on('cameras.changed', got);
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    emit('cameras.changed', { reason: 'x' });
    expect(got).toHaveBeenCalledWith({ reason: 'x' });
    hello({ version: '2', user: null });
    expect(client.snapshot()).toMatchObject({ user: null, hello: { version: '2' } });
    client.stop();
  });

  it('shows reconnecting while the engine restarts behind the bridge, then reloads', async () => {
    let engineUp = true;
    const b: DesktopBridge = {
      kind: 'electron',
      rpc: async (m) => {
        if (!engineUp)
          return {
            error: {
              code: 'unavailable',
              message: `${m}: the engine is not running (it is starting or restarting); try again in a moment`,
            },
          };
        if (m === 'alarms.list')
          return { error: { code: 'unavailable', message: 'alarms.list is not available: this part is not enabled' } };
        return { result: m === 'system.health' ? { version: '1' } : { username: 'a', role: 'guard' } };
      },
      onEvent: () => () => {},
      onHello: () => () => {},
      desktop: async () => {},
    };
    const client = new ApiClient({ bridge: b, backoff: { jitter: 0 } });
    const reloads = vi.fn();
    client.onReconnect(reloads);
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.snapshot().state).toBe('online');
    // A request the engine does not serve is not a lost connection.
    await expect(client.call('alarms.list' as 'auth.me', {})).rejects.toMatchObject({ code: 'unavailable' });
    await vi.advanceTimersByTimeAsync(0);
    expect(client.snapshot().state).toBe('online');
    engineUp = false;
    await expect(client.call('cameras.list', {})).rejects.toMatchObject({ code: 'unavailable' });
    await vi.advanceTimersByTimeAsync(0);
    expect(client.snapshot()).toMatchObject({ state: 'reconnecting', lastError: expect.stringContaining('not running') });
    await vi.advanceTimersByTimeAsync(500);
    expect(client.snapshot()).toMatchObject({ state: 'reconnecting', attempt: 1 });
    engineUp = true;
    await vi.advanceTimersByTimeAsync(500);
    expect(client.snapshot().state).toBe('online');
    expect(reloads).toHaveBeenCalledTimes(1);
    client.stop();
  });

  it('retries the probe while the engine is not ready', async () => {
    let ready = false;
    const b: DesktopBridge = {
      kind: 'electron',
      rpc: async (m) => {
        if (!ready) throw new Error('engine starting');
        return { result: m === 'system.health' ? { version: '1' } : { username: 'a', role: 'guard' } };
      },
      onEvent: () => () => {},
      onHello: () => () => {},
      desktop: async () => {},
    };
    const client = new ApiClient({ bridge: b, backoff: { jitter: 0 } });
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.snapshot()).toMatchObject({ state: 'connecting', attempt: 1 });
    ready = true;
    await vi.advanceTimersByTimeAsync(500);
    expect(client.snapshot()).toMatchObject({ state: 'online', user: { username: 'a' } });
    client.stop();
  });
});
