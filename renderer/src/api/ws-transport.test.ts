import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../main/api/contract.js';
import { ApiClient } from './client.js';
import type { SocketLike } from './ws-transport.js';

/** A socket the test drives by hand. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Array<{ id: number; method: string; params?: unknown }> = [];
  closed = false;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  constructor(readonly url: string) {}
  send(data: string) {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  // test helpers
  open(user: { username: string; role: 'guard' | 'supervisor' | 'admin' } | null = { username: 'admin', role: 'admin' }) {
    this.readyState = 1;
    this.onopen?.({});
    this.frame({ hello: { version: '9.9.9', user } });
  }
  frame(f: unknown) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  drop(code = 1006, reason?: string) {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  last() {
    return this.sent[this.sent.length - 1]!;
  }
}

function setup(o: Partial<ConstructorParameters<typeof ApiClient>[0]> = {}) {
  const sockets: FakeSocket[] = [];
  const client = new ApiClient({
    bridge: null,
    wsUrl: 'ws://test/api/ws',
    httpBase: 'http://test',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    backoff: { jitter: 0 },
    keepaliveMs: 0,
    ...o,
  });
  client.start();
  return { client, sockets, sock: () => sockets[sockets.length - 1]! };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ApiClient over WebSocket', () => {
  it('goes online at hello and exposes version and user', () => {
    const { client, sock } = setup();
    expect(client.snapshot().state).toBe('connecting');
    expect(client.hello).toBeNull();
    sock().open();
    expect(client.snapshot().state).toBe('online');
    expect(client.hello).toEqual({ version: '9.9.9', user: { username: 'admin', role: 'admin' } });
    expect(client.user?.username).toBe('admin');
  });

  it('when the server ends the session (4401), drops to the login with the reason and reconnects at once', async () => {
    const { client, sockets, sock } = setup();
    sock().open({ username: 'gina', role: 'guard' });
    const pending = client.call('cameras.list', {});
    sock().drop(4401, 'signed out: your account was disabled by an administrator');
    await expect(pending).rejects.toMatchObject({ code: 'unauthorized' });
    expect(client.snapshot()).toMatchObject({ user: null, signedOut: 'signed out: your account was disabled by an administrator' });
    expect(sockets).toHaveLength(2); // no backoff
    sock().open(null);
    expect(client.snapshot()).toMatchObject({ state: 'online', user: null, signedOut: 'signed out: your account was disabled by an administrator' });
    sock().open({ username: 'gina', role: 'guard' }); // logged in again
    expect(client.snapshot().signedOut).toBeNull();
  });

  it('when the role changes (4409), reconnects at once and takes the new role from the hello', () => {
    const { client, sockets, sock } = setup();
    sock().open({ username: 'gina', role: 'guard' });
    sock().drop(4409, 'your role changed to supervisor; reconnecting');
    expect(sockets).toHaveLength(2);
    expect(client.snapshot().signedOut).toBeNull();
    sock().open({ username: 'gina', role: 'supervisor' });
    expect(client.user).toEqual({ username: 'gina', role: 'supervisor' });
  });

  it('matches replies to requests by id, in any order', async () => {
    const { client, sock } = setup();
    sock().open();
    const a = client.call('cameras.list', {});
    const b = client.call('settings.get', {});
    const [fa, fb] = sock().sent;
    expect(fa!.method).toBe('cameras.list');
    expect(fb!.method).toBe('settings.get');
    expect(fa!.id).not.toBe(fb!.id);
    sock().frame({ id: fb!.id, result: { segmentSeconds: 10 } });
    sock().frame({ id: fa!.id, result: [{ id: 'gate' }] });
    await expect(a).resolves.toEqual([{ id: 'gate' }]);
    await expect(b).resolves.toEqual({ segmentSeconds: 10 });
  });

  it('rejects with an ApiError carrying code, message and field', async () => {
    const { client, sock } = setup();
    sock().open();
    const p = client.call('cameras.add', { name: 'X', url: 'ftp://x' });
    sock().frame({ id: sock().last().id, error: { code: 'bad_request', message: 'cameras.add: url: bad URL', field: 'url' } });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'bad_request', message: 'cameras.add: url: bad URL', field: 'url' });
  });

  it('ignores garbage and unknown frames', async () => {
    const { client, sock } = setup();
    sock().open();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    sock().onmessage?.({ data: 'not json' });
    sock().frame({ id: 999, result: 1 });
    const p = client.call('auth.me', {});
    sock().frame({ id: sock().last().id, result: { username: 'admin', role: 'admin' } });
    await expect(p).resolves.toEqual({ username: 'admin', role: 'admin' });
    warn.mockRestore();
  });

  it('holds calls made while connecting and sends them at hello', async () => {
    const { client, sock } = setup();
    const p = client.call('auth.me', {});
    expect(sock().sent).toHaveLength(0);
    sock().open();
    expect(sock().sent).toHaveLength(1);
    sock().frame({ id: sock().last().id, result: { username: 'a', role: 'guard' } });
    await expect(p).resolves.toEqual({ username: 'a', role: 'guard' });
  });

  it('times out a call the server never answers', async () => {
    const { client, sock } = setup({ callTimeoutMs: 3000 });
    sock().open();
    const p = client.call('storage.status', {}).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(3001);
    expect(await p).toMatchObject({ code: 'unavailable', message: expect.stringContaining('did not answer storage.status') });
  });

  it('rejects in-flight calls clearly when the connection drops, then reconnects with backoff', async () => {
    const { client, sockets, sock } = setup();
    sock().open();
    const p = client.call('cameras.update', { id: 'gate', patch: { enabled: false } }).catch((e: unknown) => e);
    sock().drop();
    const err = (await p) as ApiError;
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/^cameras\.update: lost the connection.*may or may not have been applied/);
    expect(client.snapshot().state).toBe('reconnecting');

    // 0.5 s, then 1 s, 2 s, 4 s between attempts while the server stays down.
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(499);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    sock().drop();
    await vi.advanceTimersByTimeAsync(999);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
    sock().drop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(sockets).toHaveLength(4);
    expect(client.snapshot()).toMatchObject({ state: 'reconnecting', attempt: 2 });
  });

  it('reports offline after repeated failures, keeps retrying at 5 s, and fails new calls fast', async () => {
    const { client, sockets, sock } = setup({ offlineAfterAttempts: 3 });
    sock().open();
    sock().drop(); // attempt 0 → 500 ms
    for (const wait of [500, 1000, 2000]) {
      await vi.advanceTimersByTimeAsync(wait);
      sock().drop();
    }
    expect(client.snapshot().state).toBe('offline');
    await expect(client.call('auth.me', {})).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('still retrying'),
    });
    const n = sockets.length;
    await vi.advanceTimersByTimeAsync(4000);
    expect(sockets.length).toBe(n + 1);
    sock().drop();
    await vi.advanceTimersByTimeAsync(4999);
    expect(sockets.length).toBe(n + 1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets.length).toBe(n + 2);
    sock().open();
    expect(client.snapshot()).toMatchObject({ state: 'online', attempt: 0, lastError: null });
  });

  it('keeps event listeners across reconnects and tells reload hooks', async () => {
    const { client, sock } = setup();
    const seen: string[] = [];
    const reloads = vi.fn();
    client.on('camera.status', (d) => seen.push(d.cameraId));
    client.onReconnect(reloads);
    sock().open();
    sock().frame({ event: 'camera.status', data: { cameraId: 'a', status: {} } });
    expect(reloads).not.toHaveBeenCalled();
    sock().drop();
    await vi.advanceTimersByTimeAsync(500);
    sock().open();
    expect(reloads).toHaveBeenCalledTimes(1);
    sock().frame({ event: 'camera.status', data: { cameraId: 'b', status: {} } });
    expect(seen).toEqual(['a', 'b']);
  });

  it('stops delivering to an unsubscribed listener and survives a throwing one', () => {
    const { client, sock } = setup();
    sock().open();
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const a = vi.fn(() => {
      throw new Error('boom');
    });
    const b = vi.fn();
    client.on('users.changed', a);
    const off = client.on('users.changed', b);
    sock().frame({ event: 'users.changed', data: {} });
    off();
    sock().frame({ event: 'users.changed', data: {} });
    expect(a).toHaveBeenCalledTimes(2);
    expect(b).toHaveBeenCalledTimes(1);
    err.mockRestore();
  });

  it('drops a socket that never says hello', async () => {
    const { client, sockets } = setup({ helloTimeoutMs: 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(sockets[0]!.closed).toBe(true);
    expect(client.snapshot().lastError).toMatch(/did not answer/);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(2);
  });

  it('notices an expired session and drops to the login screen', async () => {
    const { client, sockets, sock } = setup();
    sock().open();
    const p = client.call('cameras.list', {}).catch((e: unknown) => e);
    sock().frame({
      id: sock().last().id,
      error: { code: 'unauthorized', message: 'not logged in, or the session has expired: log in again' },
    });
    await p;
    expect(client.user).toBeNull();
    expect(sockets).toHaveLength(2); // reopened to get a fresh hello
    sock().open(null);
    expect(client.snapshot()).toMatchObject({ state: 'online', user: null });
  });

  it('logs in over HTTP (for the cookie), then reopens the socket and reads the user from hello', async () => {
    const fetch = vi.fn(
      async () => new Response(JSON.stringify({ user: { username: 'ann', role: 'guard' }, token: 't' }), { status: 200 }),
    );
    const { client, sockets, sock } = setup({ fetch: fetch as unknown as typeof globalThis.fetch });
    sock().open(null);
    const p = client.login('ann', 'secret-pass');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledWith(
      'http://test/api/rpc/auth.login',
      expect.objectContaining({ method: 'POST', credentials: 'same-origin' }),
    );
    expect(sockets).toHaveLength(2);
    sock().open({ username: 'ann', role: 'guard' });
    await expect(p).resolves.toEqual({ username: 'ann', role: 'guard' });
    expect(client.user).toEqual({ username: 'ann', role: 'guard' });
  });

  it('shows the server’s login message, including rate limits', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(
        new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'wrong username or password' } }), { status: 401 }),
      )
      .mockResolvedValueOnce(
        new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'too many login attempts; try again in 42 s' } }), {
          status: 429,
        }),
      )
      .mockRejectedValueOnce(new TypeError('Failed to fetch'));
    const { client, sock } = setup({ fetch: fetch as unknown as typeof globalThis.fetch });
    sock().open(null);
    await expect(client.login('a', 'b')).rejects.toMatchObject({ code: 'unauthorized', message: 'wrong username or password' });
    await expect(client.login('a', 'b')).rejects.toMatchObject({ code: 'rate_limited', message: expect.stringContaining('42 s') });
    await expect(client.login('a', 'b')).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('cannot reach') });
    expect(client.user).toBeNull();
  });

  it('logs out: clears the user and reopens the socket', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ ok: true }), { status: 200 }));
    const { client, sockets, sock } = setup({ fetch: fetch as unknown as typeof globalThis.fetch });
    sock().open();
    await client.logout();
    expect(client.user).toBeNull();
    expect(sockets).toHaveLength(2);
  });

  it('notifies state subscribers with a new snapshot object each change', () => {
    const { client, sock } = setup();
    const snaps: string[] = [];
    client.subscribe(() => snaps.push(client.snapshot().state));
    const before = client.snapshot();
    sock().open();
    expect(client.snapshot()).not.toBe(before);
    expect(snaps).toContain('online');
  });

  it('rejects everything once stopped', async () => {
    const { client, sock } = setup();
    sock().open();
    const p = client.call('auth.me', {}).catch((e: unknown) => e);
    client.stop();
    expect(await p).toMatchObject({ code: 'unavailable' });
    await expect(client.call('auth.me', {})).rejects.toMatchObject({ code: 'unavailable' });
  });
});
