import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/api/contract.js';
import {
  fieldError,
  formatAgo,
  formatBytes,
  formatClock,
  formatDateTime,
  formatDuration,
  formatFps,
  formatResolution,
  formatWhen,
  healthCounts,
  stateTone,
  utcOffset,
  zoneLabel,
} from './format.js';

describe('format', () => {
  it('formats bytes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.50 KB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(512e9)).toBe('512 GB');
    expect(formatBytes(2.5e12)).toBe('2.50 TB');
    expect(formatBytes(null)).toBe('–');
    expect(formatBytes(Number.NaN)).toBe('–');
  });

  it('formats durations compactly', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(300)).toBe('5 min');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(3 * 3600 + 12 * 60)).toBe('3 h 12 min');
    expect(formatDuration(4 * 86400 + 2 * 3600)).toBe('4 d 2 h');
    expect(formatDuration(-5)).toBe('0 s');
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-11-26T08:00:00Z');
    expect(formatAgo('2026-11-26T07:57:00Z', now)).toBe('3 min ago');
    expect(formatAgo('2026-11-26T07:59:58Z', now)).toBe('just now');
    expect(formatAgo('2026-11-26T08:02:00Z', now)).toBe('in 2 min');
    expect(formatAgo(null, now)).toBe('–');
    expect(formatAgo('garbage', now)).toBe('–');
  });

  it('shows times in an explicit zone, 24 h', () => {
    const t = '2026-11-26T08:14:03Z';
    expect(formatDateTime(t, 'UTC')).toBe('2026-11-26 08:14:03');
    expect(formatDateTime(t, 'Europe/Berlin')).toBe('2026-11-26 09:14:03');
    expect(formatDateTime(t, 'America/New_York')).toBe('2026-11-26 03:14:03');
    expect(formatDateTime('2026-07-01T00:30:00Z', 'Asia/Kolkata')).toBe('2026-07-01 06:00:00');
    expect(formatClock(Date.parse('2026-11-26T23:59:59Z'), 'UTC')).toBe('23:59:59');
    expect(formatDateTime('nope', 'UTC')).toBe('–');
  });

  it('drops the date for today', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    expect(formatWhen('2026-11-26T08:00:00Z', 'UTC', now)).toBe('08:00:00');
    expect(formatWhen('2026-11-25T08:00:00Z', 'UTC', now)).toBe('2026-11-25 08:00:00');
  });

  it('computes UTC offsets, including DST and half hours', () => {
    expect(utcOffset('UTC')).toBe('UTC');
    expect(utcOffset('Europe/Berlin', new Date('2026-01-15T12:00:00Z'))).toBe('UTC+01:00');
    expect(utcOffset('Europe/Berlin', new Date('2026-07-15T12:00:00Z'))).toBe('UTC+02:00');
    expect(utcOffset('America/New_York', new Date('2026-01-15T12:00:00Z'))).toBe('UTC-05:00');
    expect(utcOffset('Asia/Kolkata', new Date('2026-01-15T12:00:00Z'))).toBe('UTC+05:30');
    expect(zoneLabel('UTC')).toBe('UTC');
    expect(zoneLabel('Europe/Berlin', new Date('2026-01-15T12:00:00Z'))).toBe('Europe/Berlin UTC+01:00');
  });

  it('formats video properties', () => {
    expect(formatResolution(1920, 1080)).toBe('1920×1080');
    expect(formatResolution(null, 1080)).toBe('–');
    expect(formatFps(25)).toBe('25 fps');
    expect(formatFps(29.97)).toBe('30.0 fps');
    expect(formatFps(null)).toBe('–');
  });

  it('maps camera states to tones', () => {
    expect(stateTone('recording')).toBe('ok');
    expect(stateTone('connecting')).toBe('idle');
    expect(stateTone('disabled')).toBe('dim');
    expect(stateTone('stalled')).toBe('warn');
    expect(stateTone('auth_failed')).toBe('bad');
    expect(stateTone('disk_full')).toBe('bad');
  });

  it('counts camera health', () => {
    expect(healthCounts(['recording', 'recording', 'offline', 'connecting', 'disabled', 'stalled'])).toEqual({
      total: 6,
      recording: 2,
      attention: 2,
      connecting: 1,
      disabled: 1,
    });
  });

  it('turns server validation errors into a field and a short message', () => {
    expect(fieldError(new ApiError('bad_request', 'cameras.add: url: camera URL must start with rtsp://', 'url'))).toEqual({
      field: 'url',
      message: 'camera URL must start with rtsp://',
    });
    expect(fieldError(new ApiError('bad_request', 'cameras.update: patch.name: camera name is empty', 'patch.name'))).toEqual({
      field: 'name',
      message: 'camera name is empty',
    });
    expect(fieldError(new ApiError('conflict', 'a camera named "Gate" already exists', 'name'))).toEqual({
      field: 'name',
      message: 'a camera named "Gate" already exists',
    });
    expect(fieldError(new ApiError('bad_request', 'subUrl: unknown demo source demo://x', 'subUrl'))).toEqual({
      field: 'subUrl',
      message: 'unknown demo source demo://x',
    });
    expect(fieldError(new Error('boom'))).toEqual({ field: null, message: 'boom' });
  });
});
