/** Formatting helpers: bytes, durations, times in an explicit time zone, camera states. */
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

/** 42 s, 5 min, 3 h 12 min, 4 d 2 h. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** "3 min ago", "just now", "in 2 min" relative to `now` (ms). */
export function formatAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '–';
  const d = (now - t) / 1000;
  if (Math.abs(d) < 5) return 'just now';
  return d >= 0 ? `${formatDuration(d)} ago` : `in ${formatDuration(-d)}`;
}

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function dtf(tz: string | undefined, o: Intl.DateTimeFormatOptions, tag: string): Intl.DateTimeFormat {
  const key = `${tz ?? ''}|${tag}`;
  let f = dtfCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { ...o, timeZone: tz, hourCycle: 'h23' });
    dtfCache.set(key, f);
  }
  return f;
}

function parts(date: Date, tz: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of dtf(
    tz,
    { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' },
    'full',
  ).formatToParts(date)) {
    out[p.type] = p.value;
  }
  return out;
}

/** 2026-11-26 08:14:03 in `tz` (the browser's zone when undefined). */
export function formatDateTime(value: string | number | Date | null | undefined, tz?: string): string {
  if (value == null) return '–';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return '–';
  const p = parts(d, tz);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** 08:14:03 in `tz`. */
export function formatClock(value: number | Date, tz?: string): string {
  const d = value instanceof Date ? value : new Date(value);
  const p = parts(d, tz);
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** Time only when `value` is today in `tz`, else date and time. */
export function formatWhen(value: string | null | undefined, tz?: string, now: number = Date.now()): string {
  if (!value) return '–';
  const full = formatDateTime(value, tz);
  if (full === '–') return full;
  const today = formatDateTime(now, tz).slice(0, 10);
  return full.startsWith(today) ? full.slice(11) : full;
}

/** UTC offset of `tz` at `at`: "UTC+01:00", "UTC-05:30", "UTC". */
export function utcOffset(tz: string | undefined, at: Date = new Date()): string {
  const p = parts(at, tz);
  const asUtc = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour! % 24, +p.minute!, +p.second!);
  const mins = Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60000);
  if (mins === 0) return 'UTC';
  const sign = mins > 0 ? '+' : '-';
  const a = Math.abs(mins);
  return `UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** "Europe/Berlin UTC+01:00", or just "UTC" for UTC itself. */
export function zoneLabel(tz: string, at: Date = new Date()): string {
  const off = utcOffset(tz, at);
  return off === 'UTC' && /^(Etc\/)?(UTC|GMT|Zulu|Universal)$/i.test(tz) ? 'UTC' : `${tz} ${off}`;
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
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
