import { describe, expect, it } from 'vitest';
import { ptzKeyOf, typingInto, velocityOf } from './ptz-keys.js';

describe('PTZ keys', () => {
  it('maps arrows and +/- to velocities, combining keys', () => {
    expect(velocityOf(new Set(['ArrowRight']), false)).toEqual({ pan: 0.5, tilt: 0, zoom: 0 });
    expect(velocityOf(new Set(['ArrowUp', 'ArrowLeft']), true)).toEqual({ pan: -1, tilt: 1, zoom: 0 });
    expect(velocityOf(new Set(['+']), false)).toEqual({ pan: 0, tilt: 0, zoom: 0.5 });
    expect(velocityOf(new Set(['ArrowLeft', 'ArrowRight']), false)).toEqual({ pan: 0, tilt: 0, zoom: 0 });
  });
  it('normalises keyboard layouts and the numpad', () => {
    expect(ptzKeyOf({ key: '=' })).toBe('+');
    expect(ptzKeyOf({ key: '_' })).toBe('-');
    expect(ptzKeyOf({ key: 'x', code: 'NumpadAdd' })).toBe('+');
    expect(ptzKeyOf({ key: 'a' })).toBeNull();
  });
  it('leaves text fields alone', () => {
    expect(typingInto({ tagName: 'INPUT', type: 'text' } as unknown as EventTarget)).toBe(true);
    expect(typingInto({ tagName: 'INPUT', type: 'checkbox' } as unknown as EventTarget)).toBe(false);
    expect(typingInto({ tagName: 'DIV' } as unknown as EventTarget)).toBe(false);
  });
});
