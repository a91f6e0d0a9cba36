import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesktopBridge } from '../../../main/api/bridge.js';
import { FakeServer } from '../test-support/fake-server.js';
import { ApiClient } from './client.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  delete (window as unknown as { gatehouse?: DesktopBridge }).gatehouse;
});

function bridge(rpc: DesktopBridge['rpc']): DesktopBridge {
  return { kind: 'electron', rpc, onEvent: () => () => {}, onHello: () => () => {}, desktop: async () => {} };
}

describe('ApiClient (the thin client over either transport)', () => {
  it('picks the desktop bridge when window.gatehouse is there, else the WebSocket', () => {
    expect(new ApiClient({ createSocket: () => null as never }).snapshot().transport).toBe('ws');
    (window as unknown as { gatehouse?: DesktopBridge }).gatehouse = bridge(async () => ({ result: null }));
    expect(new ApiClient().snapshot().transport).toBe('ipc');
    expect(new ApiClient({ bridge: null }).snapshot().transport).toBe('ws');
  });

  it('passes calls to the transport unchanged and returns the result', async () => {
    const rpc = vi.fn(async (m: string) => ({ result: m === 'system.health' ? { version: '1' } : [{ id: 'gate' }] }));
    const client = new ApiClient({ bridge: bridge(rpc) });
    client.start();
    await expect(client.call('cameras.list', {})).resolves.toEqual([{ id: 'gate' }]);
    expect(rpc).toHaveBeenCalledWith('cameras.list', {});
    client.stop();
  });

  it('keeps listeners and reload hooks on the client across a server restart', async () => {
    const server = new FakeServer({});
    const client = server.client();
    const got = vi.fn();
    const reloadA = vi.fn();
    const reloadB = vi.fn();
    client.on('cameras.changed', got);
    const offA = client.onReconnect(reloadA);
    client.onReconnect(reloadB);
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.snapshot().state).toBe('online');
    server.emit('cameras.changed', { reason: 'a' });
    server.down();
    expect(client.snapshot().state).toBe('reconnecting');
    offA();
    server.upAgain();
    await vi.advanceTimersByTimeAsync(100);
    expect(client.snapshot().state).toBe('online');
    server.emit('cameras.changed', { reason: 'b' });
    expect(got.mock.calls.map((c) => c[0])).toEqual([{ reason: 'a' }, { reason: 'b' }]);
    expect(reloadA).not.toHaveBeenCalled();
    expect(reloadB).toHaveBeenCalledTimes(1);
    client.stop();
  });
});
