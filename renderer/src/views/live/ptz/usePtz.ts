import { useCallback, useEffect, useRef, useState } from 'react';
import type { PtzPresetInfo } from '../../../../../main/api/onvif.js';
import { useClient } from '../../../api/context.js';
import { fieldError } from '../../../ui/format.js';
import { isStill, ptzKeyOf, sameVelocity, typingInto, velocityOf, type PtzVelocity } from './ptz-keys.js';

/** How often a held move is refreshed. The engine stops any move not refreshed within 1 s. */
const REFRESH_MS = 300;
const STILL: PtzVelocity = { pan: 0, tilt: 0, zoom: 0 };

export interface PtzControls {
  /** Start (or change) a move; it lasts while refreshed, i.e. until `release()`. */
  press: (v: PtzVelocity) => void;
  release: () => void;
  moving: boolean;
  presets: PtzPresetInfo[];
  reloadPresets: () => void;
  gotoPreset: (token: string) => Promise<void>;
  setPreset: (name: string) => Promise<void>;
  home: () => Promise<void>;
  error: string | null;
}

/**
 * PTZ for one camera: arrow keys pan/tilt, +/− zoom (Shift = full speed),
 * an on-screen pad through press()/release(). While a move is held it is
 * refreshed every 300 ms; key-up, blur, a hidden tab or unmount stop it. If
 * all of that is lost, the engine's 1 s watchdog stops the camera anyway.
 *
 * `keyboard`: listen on window while true (e.g. while this camera's tile is
 * selected or maximised).
 */
export function usePtz(cameraId: string | null, o: { keyboard?: boolean } = {}): PtzControls {
  const client = useClient();
  const [moving, setMoving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [presets, setPresets] = useState<PtzPresetInfo[]>([]);
  const current = useRef<PtzVelocity>(STILL);
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);
  const held = useRef(new Set<string>());
  const idRef = useRef(cameraId);
  idRef.current = cameraId;

  const send = useCallback(
    (v: PtzVelocity) => {
      const id = idRef.current;
      if (!id) return;
      client.call('ptz.move', { cameraId: id, ...v }).catch((err: unknown) => {
        setError(fieldError(err).message);
        if (timer.current) clearInterval(timer.current);
        timer.current = null;
        current.current = STILL;
        setMoving(false);
      });
    },
    [client],
  );

  const release = useCallback(() => {
    if (timer.current) clearInterval(timer.current);
    timer.current = null;
    const was = current.current;
    current.current = STILL;
    setMoving(false);
    const id = idRef.current;
    if (id && !isStill(was)) client.call('ptz.stop', { cameraId: id }).catch((err: unknown) => setError(fieldError(err).message));
  }, [client]);

  const press = useCallback(
    (v: PtzVelocity) => {
      if (isStill(v)) return release();
      if (sameVelocity(v, current.current) && timer.current) return;
      setError(null);
      current.current = v;
      setMoving(true);
      send(v);
      if (timer.current) clearInterval(timer.current);
      timer.current = setInterval(() => send(current.current), REFRESH_MS);
    },
    [send, release],
  );

  // Keyboard: arrows and +/−, combined; key-up recomputes, the last key-up stops.
  useEffect(() => {
    if (!o.keyboard || !cameraId) return;
    const keys = held.current;
    const update = (shift: boolean) => {
      const v = velocityOf(keys, shift);
      if (isStill(v)) release();
      else press(v);
    };
    const down = (e: KeyboardEvent) => {
      const k = ptzKeyOf(e);
      if (!k || typingInto(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      e.preventDefault();
      if (e.repeat && keys.has(k)) return;
      keys.add(k);
      update(e.shiftKey);
    };
    const up = (e: KeyboardEvent) => {
      const k = ptzKeyOf(e);
      if (!k || !keys.has(k)) return;
      e.preventDefault();
      keys.delete(k);
      update(e.shiftKey);
    };
    const lost = () => {
      keys.clear();
      release();
    };
    const hidden = () => document.visibilityState === 'hidden' && lost();
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', lost);
    document.addEventListener('visibilitychange', hidden);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', lost);
      document.removeEventListener('visibilitychange', hidden);
      lost();
    };
  }, [o.keyboard, cameraId, press, release]);

  // Switching cameras or unmounting stops the move.
  useEffect(() => () => release(), [cameraId, release]);

  const reloadPresets = useCallback(() => {
    if (!cameraId) return;
    client.call('ptz.presets', { cameraId }).then(
      (r) => setPresets(r.presets),
      (err: unknown) => setError(fieldError(err).message),
    );
  }, [client, cameraId]);
  useEffect(reloadPresets, [reloadPresets]);

  const wrap = useCallback(async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(fieldError(err).message);
    }
  }, []);

  return {
    press,
    release,
    moving,
    presets,
    reloadPresets,
    gotoPreset: (token) => wrap(() => client.call('ptz.gotoPreset', { cameraId: cameraId!, token })),
    setPreset: (name) => wrap(async () => {
      await client.call('ptz.setPreset', { cameraId: cameraId!, name });
      reloadPresets();
    }),
    home: () => wrap(() => client.call('ptz.home', { cameraId: cameraId! })),
    error,
  };
}
