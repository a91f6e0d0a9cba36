/**
 * The privacy masks of every camera, one copy per client: loaded with
 * `masks.list`, reloaded on `masks.changed` and after a reconnect. The live
 * tiles and the playback tiles read it (PrivacyMaskOverlay); no provider
 * needed (a store per ApiClient, read with useSyncExternalStore).
 */
import { useSyncExternalStore } from 'react';
import type { CameraMask } from '../../../main/api/masks.js';
import type { ApiClient } from '../api/client.js';
import { useClient } from '../api/context.js';

class MaskStore {
  private masks: CameraMask[] = [];
  private listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;
  private started = false;

  constructor(private readonly client: ApiClient) {}

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.client.on('masks.changed', () => this.soon());
    this.client.onReconnect(() => this.load());
    this.load();
  }

  private soon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.load();
    }, 100);
  }

  load(): void {
    const n = ++this.seq;
    this.client.call('masks.list', { kind: 'privacy' }).then(
      (m) => {
        if (n !== this.seq) return;
        this.masks = m;
        for (const l of this.listeners) l();
      },
      () => {
        /* no masks shown until the next reload; the tiles still play */
      },
    );
  }

  subscribe = (cb: () => void): (() => void) => {
    this.start();
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  };

  snapshot = (): CameraMask[] => this.masks;
}

const stores = new WeakMap<ApiClient, MaskStore>();

function storeOf(client: ApiClient): MaskStore {
  let s = stores.get(client);
  if (!s) {
    s = new MaskStore(client);
    stores.set(client, s);
  }
  return s;
}

const NONE: CameraMask[] = [];

/** Every privacy mask (all cameras). */
export function usePrivacyMasks(): CameraMask[] {
  const s = storeOf(useClient());
  return useSyncExternalStore(s.subscribe, s.snapshot, () => NONE);
}
