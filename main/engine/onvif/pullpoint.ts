/**
 * One camera's pull-point event subscription: CreatePullPointSubscription,
 * a PullMessages long-poll loop, Renew before the lifetime runs out, and
 * Unsubscribe on stop. Any failure (camera rebooted, subscription expired,
 * network gone, garbage) drops the subscription and starts over after a
 * growing backoff, so events resume by themselves when the camera returns.
 */
import type { NotificationItem, OnvifDevice, PullPoint } from './client.js';
import { OnvifError } from './errors.js';
import { logger } from '../log.js';

const log = logger('onvif.events');

export type SubscriptionState = 'off' | 'connecting' | 'subscribed' | 'retrying';

export interface PullPointOptions {
  cameraId: string;
  device: OnvifDevice;
  onMessages: (items: NotificationItem[]) => void;
  onState: (state: SubscriptionState, message: string) => void;
  /** Subscription lifetime asked for; renewed at 60 % of what the camera grants. */
  lifetimeMs?: number;
  /** PullMessages long-poll time. */
  pullWaitMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class PullPointSubscriber {
  private running = false;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private sub: PullPoint | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly o: PullPointOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort?.abort();
    this.wake?.();
    await this.loop?.catch(() => undefined);
    const sub = this.sub;
    this.sub = null;
    if (sub) await this.o.device.unsubscribe(sub, 2000).catch(() => undefined);
    this.o.onState('off', 'stopped');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const lifetime = this.o.lifetimeMs ?? 60_000;
    const wait = this.o.pullWaitMs ?? 10_000;
    const minBackoff = this.o.minBackoffMs ?? 1000;
    const maxBackoff = this.o.maxBackoffMs ?? 30_000;
    let backoff = minBackoff;
    let failures = 0;
    while (this.running) {
      this.abort = new AbortController();
      try {
        this.o.onState(failures ? 'retrying' : 'connecting', failures ? `resubscribing (attempt ${failures + 1})` : 'subscribing');
        const sub = await this.o.device.createPullPoint(lifetime);
        this.sub = sub;
        let renewAt = Date.now() + sub.lifetimeMs * 0.6;
        if (failures) log.info(`${this.o.cameraId}: event subscription restored after ${failures} failed attempt(s)`);
        this.o.onState('subscribed', 'receiving events');
        failures = 0;
        backoff = minBackoff;
        while (this.running) {
          // Never long-poll past the renewal point.
          const pollMs = Math.max(1000, Math.min(wait, renewAt - Date.now()));
          const t0 = Date.now();
          const items = await this.o.device.pullMessages(sub, pollMs, 100, this.abort.signal);
          if (!this.running) break;
          if (items.length) this.o.onMessages(items);
          // Some firmwares ignore the long-poll Timeout and answer at once: don't hammer them.
          else if (Date.now() - t0 < 200) await this.sleep(1000);
          if (Date.now() >= renewAt) {
            const granted = await this.o.device.renew(sub, lifetime);
            renewAt = Date.now() + granted * 0.6;
          }
        }
      } catch (err) {
        if (!this.running) break;
        this.sub = null;
        failures++;
        const msg = err instanceof OnvifError ? err.message : String((err as Error)?.message ?? err);
        if (failures === 1) log.warn(`${this.o.cameraId}: event subscription lost: ${msg}; resubscribing`);
        else log.debug(`${this.o.cameraId}: resubscribe attempt ${failures} failed: ${msg}`);
        this.o.onState('retrying', `${msg}; retrying in ${Math.round(backoff / 1000)} s`);
        await this.sleep(backoff);
        backoff = Math.min(maxBackoff, backoff * 2);
      }
    }
  }
}
