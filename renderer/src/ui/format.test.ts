import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/api/contract.js';
import { fieldError, formatBytes, formatFps, formatResolution, healthCounts, stateTone } from './format.js';

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
