/**
 * PTZ with an engine-side watchdog. Every move has a deadline of at most
 * 1 s; the console refreshes it while a key or the pad is held. When the
 * deadline passes without a refresh (key-up lost, console closed, network
 * gone) the engine sends Stop itself, so a camera never keeps spinning.
 * The camera also gets a Timeout in ContinuousMove as a second net, though
 * many cameras ignore it.
 *
 * Commands to one camera are serialised, so a Stop never overtakes the
 * move it is meant to end.
 */
import type { OnvifDevice } from './client.js';
import { logger } from '../log.js';

const log = logger('onvif.ptz');

export const MAX_MOVE_MS = 1000;
/** While a move is held, resend ContinuousMove at most this often (keeps the camera's own Timeout from expiring). */
const RESEND_MS = 500;
/** Timeout given to the camera in ContinuousMove. */
const CAMERA_TIMEOUT_MS = 2000;

export interface PtzTarget {
  device: OnvifDevice;
  profile: string;
}

export interface Velocity {
  pan: number;
  tilt: number;
  zoom: number;
}

interface Motion {
  v: Velocity;
  deadline: number;
  timer: NodeJS.Timeout;
  sentAt: number;
}

export type WatchdogListener = (cameraId: string, reason: string) => void;

const same = (a: Velocity, b: Velocity) => a.pan === b.pan && a.tilt === b.tilt && a.zoom === b.zoom;
const isZero = (v: Velocity) => v.pan === 0 && v.tilt === 0 && v.zoom === 0;

export class PtzWatchdog {
  private moving = new Map<string, Motion>();
  private chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly target: (cameraId: string) => PtzTarget,
    private readonly onWatchdogStop: WatchdogListener,
  ) {}

  /** Run `fn` after every earlier command to the same camera. */
  private serial<T>(cameraId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(cameraId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.chains.set(cameraId, tail);
    void tail.then(() => {
      if (this.chains.get(cameraId) === tail) this.chains.delete(cameraId);
    });
    return next;
  }

  /**
   * Start, change or refresh a move. Returns the deadline (ms since epoch)
   * and whether this started or changed a move (false for a refresh).
   */
  async move(cameraId: string, v: Velocity, timeoutMs = MAX_MOVE_MS): Promise<{ deadline: number; changed: boolean }> {
    const window = Math.min(Math.max(timeoutMs, 100), MAX_MOVE_MS);
    if (isZero(v)) {
      await this.stop(cameraId);
      return { deadline: Date.now(), changed: true };
    }
    const t = this.target(cameraId);
    const deadline = Date.now() + window;
    const cur = this.moving.get(cameraId);
    if (cur && same(cur.v, v)) {
      // A refresh: push the deadline out; resend now and then for the camera's own timeout.
      this.arm(cameraId, cur, deadline);
      if (Date.now() - cur.sentAt >= RESEND_MS) {
        cur.sentAt = Date.now();
        await this.serial(cameraId, () => t.device.continuousMove(t.profile, v.pan, v.tilt, v.zoom, CAMERA_TIMEOUT_MS));
      }
      return { deadline, changed: false };
    }
    const m: Motion = { v, deadline, timer: undefined as unknown as NodeJS.Timeout, sentAt: Date.now() };
    if (cur) clearTimeout(cur.timer);
    this.moving.set(cameraId, m);
    this.arm(cameraId, m, deadline);
    try {
      await this.serial(cameraId, () => t.device.continuousMove(t.profile, v.pan, v.tilt, v.zoom, CAMERA_TIMEOUT_MS));
    } catch (err) {
      if (this.moving.get(cameraId) === m) {
        clearTimeout(m.timer);
        this.moving.delete(cameraId);
      }
      throw err;
    }
    return { deadline, changed: true };
  }

  private arm(cameraId: string, m: Motion, deadline: number): void {
    clearTimeout(m.timer);
    m.deadline = deadline;
    m.timer = setTimeout(() => {
      if (this.moving.get(cameraId) !== m) return;
      log.info(`PTZ move on ${cameraId} was not refreshed within ${MAX_MOVE_MS} ms: stopping it`);
      this.stop(cameraId)
        .then(() => this.onWatchdogStop(cameraId, 'no refresh before the deadline'))
        .catch((err) => log.warn(`watchdog stop on ${cameraId} failed: ${(err as Error).message}`));
    }, Math.max(0, deadline - Date.now()));
    m.timer.unref?.();
  }

  async stop(cameraId: string): Promise<void> {
    const cur = this.moving.get(cameraId);
    if (cur) {
      clearTimeout(cur.timer);
      this.moving.delete(cameraId);
    }
    const t = this.target(cameraId);
    await this.serial(cameraId, () => t.device.stop(t.profile));
  }

  /** Serialise another PTZ command (preset, home) behind pending moves; cancels the watchdog of a running move. */
  async run<T>(cameraId: string, fn: (t: PtzTarget) => Promise<T>): Promise<T> {
    const cur = this.moving.get(cameraId);
    if (cur) {
      clearTimeout(cur.timer);
      this.moving.delete(cameraId);
    }
    const t = this.target(cameraId);
    return this.serial(cameraId, () => fn(t));
  }

  isMoving(cameraId: string): boolean {
    return this.moving.has(cameraId);
  }

  /** Stop every moving camera (engine shutdown). */
  async stopAll(): Promise<void> {
    const ids = [...this.moving.keys()];
    await Promise.allSettled(ids.map((id) => this.stop(id).then(() => this.onWatchdogStop(id, 'engine stopping'))));
  }

  forget(cameraId: string): void {
    const cur = this.moving.get(cameraId);
    if (cur) clearTimeout(cur.timer);
    this.moving.delete(cameraId);
  }
}
