/**
 * Camera clock health: GetSystemDateAndTime now and then. Evidence
 * timestamps and the WS-Security digest both depend on the camera clock,
 * so more than 2 s of skew is reported.
 */
import type { OnvifDevice } from './client.js';
import { logger } from '../log.js';

const log = logger('onvif.health');

export const MAX_SKEW_MS = 2000;

export interface ClockResult {
  skewMs: number;
  ok: boolean;
  ntp: boolean | null;
  checkedAt: number;
  message: string;
}

export function describeSkew(skewMs: number, ntp: boolean | null): string {
  const s = Math.abs(skewMs) / 1000;
  const amount = s >= 120 ? `${Math.round(s / 60)} min` : `${s.toFixed(1)} s`;
  if (Math.abs(skewMs) <= MAX_SKEW_MS) return `camera clock within ${amount} of this computer`;
  return `camera clock is ${amount} ${skewMs > 0 ? 'ahead' : 'behind'}: evidence times from the camera will be off; ${ntp ? 'its NTP server is not working' : 'set it to use NTP'}`;
}

export class ClockWatch {
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly intervalMs: number,
    private readonly onResult: (cameraId: string, r: ClockResult) => void,
    private readonly onError: (cameraId: string, err: Error) => void = () => {},
  ) {}

  watch(cameraId: string, device: OnvifDevice, firstDelayMs = 1000): void {
    this.unwatch(cameraId);
    const tick = (delay: number) => {
      const t = setTimeout(() => {
        this.check(cameraId, device).finally(() => {
          if (this.timers.get(cameraId) === t) tick(this.intervalMs);
        });
      }, delay);
      t.unref?.();
      this.timers.set(cameraId, t);
    };
    tick(firstDelayMs);
  }

  async check(cameraId: string, device: OnvifDevice): Promise<ClockResult | null> {
    try {
      const r = await device.syncClock(Math.min(device.timeoutMs, 5000));
      if (!r.clock) return null;
      const skewMs = Math.round(r.offsetMs);
      const res: ClockResult = { skewMs, ok: Math.abs(skewMs) <= MAX_SKEW_MS, ntp: r.clock.ntp, checkedAt: Date.now(), message: describeSkew(skewMs, r.clock.ntp) };
      this.onResult(cameraId, res);
      return res;
    } catch (err) {
      log.debug(`${cameraId}: clock check failed: ${(err as Error).message}`);
      this.onError(cameraId, err as Error);
      return null;
    }
  }

  unwatch(cameraId: string): void {
    const t = this.timers.get(cameraId);
    if (t) clearTimeout(t);
    this.timers.delete(cameraId);
  }

  stopAll(): void {
    for (const id of [...this.timers.keys()]) this.unwatch(id);
  }
}
