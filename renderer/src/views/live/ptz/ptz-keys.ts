/**
 * Which PTZ velocity the held keys ask for. Arrows pan and tilt, + and −
 * zoom; keys combine (up + left moves diagonally); Shift is full speed.
 * Pure, so it can be tested without a DOM.
 */
export interface PtzVelocity {
  pan: number;
  tilt: number;
  zoom: number;
}

export const PTZ_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', '+', '=', '-', '_', 'Add', 'Subtract']);

/** Normalise KeyboardEvent.key (and numpad codes) to the keys above. */
export function ptzKeyOf(e: { key: string; code?: string }): string | null {
  if (e.code === 'NumpadAdd') return '+';
  if (e.code === 'NumpadSubtract') return '-';
  if (e.key === '=' || e.key === 'Add') return '+';
  if (e.key === '_' || e.key === 'Subtract') return '-';
  return PTZ_KEYS.has(e.key) ? e.key : null;
}

export function velocityOf(held: ReadonlySet<string>, fast: boolean, speed = 0.5): PtzVelocity {
  const s = fast ? 1 : speed;
  const axis = (neg: string, pos: string) => (held.has(pos) ? 1 : 0) - (held.has(neg) ? 1 : 0);
  return {
    pan: axis('ArrowLeft', 'ArrowRight') * s,
    tilt: axis('ArrowDown', 'ArrowUp') * s,
    zoom: axis('-', '+') * s,
  };
}

export const isStill = (v: PtzVelocity) => v.pan === 0 && v.tilt === 0 && v.zoom === 0;
export const sameVelocity = (a: PtzVelocity, b: PtzVelocity) => a.pan === b.pan && a.tilt === b.tilt && a.zoom === b.zoom;

/** Don't steal keys from text fields. */
export function typingInto(target: EventTarget | null): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean; type?: string } | null;
  if (!el?.tagName) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  return el.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'range'].includes(el.type ?? 'text');
}
