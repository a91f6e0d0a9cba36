/**
 * Formatting helpers: bytes, video properties, camera states, field errors.
 * Times, zones and durations are in the time library (renderer/src/time/).
 */
import type { CameraState } from '../../../main/api/contract.js';

export function formatBytes(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '–';
  if (n < 0) return '-' + formatBytes(-n);
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const digits = u === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${units[u]}`;
}

export function formatResolution(w: number | null, h: number | null): string {
  return w && h ? `${w}×${h}` : '–';
}

export function formatFps(fps: number | null): string {
  if (fps == null || !Number.isFinite(fps)) return '–';
  return `${Number.isInteger(fps) ? fps : fps.toFixed(1)} fps`;
}

export const STATE_LABELS: Record<CameraState, string> = {
  disabled: 'Disabled',
  connecting: 'Connecting',
  recording: 'Recording',
  stalled: 'Stalled',
  offline: 'Offline',
  auth_failed: 'Auth failed',
  unsupported: 'Unsupported',
  disk_full: 'Disk full',
};

/** How much attention a state needs: ok (green), idle (grey/dim), warn (amber), bad (red). */
export function stateTone(s: CameraState): 'ok' | 'idle' | 'dim' | 'warn' | 'bad' {
  switch (s) {
    case 'recording':
      return 'ok';
    case 'connecting':
      return 'idle';
    case 'disabled':
      return 'dim';
    case 'stalled':
      return 'warn';
    default:
      return 'bad';
  }
}

/**
 * Server validation messages read "cameras.add: url: camera URL must ...";
 * strip the method and field to show the text next to the field. `patch.url` → `url`.
 */
export function fieldError(err: unknown): { field: string | null; message: string } {
  const e = err as { field?: string; message?: string } | null;
  let message = e?.message ?? String(err);
  const field = e?.field ? e.field.replace(/^patch\./, '') : null;
  message = message.replace(/^[a-z]+\.[a-zA-Z]+: /, '');
  if (e?.field) {
    const prefix = `${e.field}: `;
    if (message.startsWith(prefix)) message = message.slice(prefix.length);
    else if (field && message.startsWith(`${field}: `)) message = message.slice(field.length + 2);
  }
  return { field, message };
}

/** "2 of 4 recording" style counts from camera states. */
export function healthCounts(states: CameraState[]): {
  total: number;
  recording: number;
  attention: number;
  connecting: number;
  disabled: number;
} {
  let recording = 0;
  let attention = 0;
  let connecting = 0;
  let disabled = 0;
  for (const s of states) {
    if (s === 'recording') recording++;
    else if (s === 'connecting') connecting++;
    else if (s === 'disabled') disabled++;
    else attention++;
  }
  return { total: states.length, recording, attention, connecting, disabled };
}
