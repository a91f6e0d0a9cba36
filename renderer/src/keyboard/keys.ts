/**
 * Key specs for shortcuts: "j", "?", "shift+n", "ctrl+s", "F1", "esc", "enter",
 * "delete", "up"/"down"/"left"/"right", "space", and sequences separated by a
 * space: "g l" means g, then l. Letters match either case unless shift is given.
 */
export interface KeyCombo {
  key: string;
  ctrl: boolean;
  alt: boolean;
  shift: boolean;
  meta: boolean;
}

/** The subset of KeyboardEvent the registry reads (tests pass plain objects). */
export interface KeyEventLike {
  key: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
  metaKey?: boolean;
  repeat?: boolean;
  target?: unknown;
  defaultPrevented?: boolean;
  preventDefault?: () => void;
  stopPropagation?: () => void;
}

const ALIASES: Record<string, string> = {
  esc: 'escape',
  del: 'delete',
  return: 'enter',
  up: 'arrowup',
  down: 'arrowdown',
  left: 'arrowleft',
  right: 'arrowright',
  space: ' ',
  spacebar: ' ',
  pgup: 'pageup',
  pgdn: 'pagedown',
  plus: '+',
};

function normKey(k: string): string {
  const low = k.toLowerCase();
  return ALIASES[low] ?? low;
}

export function parseCombo(spec: string): KeyCombo {
  const parts = spec === '+' ? ['+'] : spec.split('+').filter((p, i, a) => p !== '' || i === a.length - 1);
  const c: KeyCombo = { key: '', ctrl: false, alt: false, shift: false, meta: false };
  for (const raw of parts) {
    const p = raw.toLowerCase();
    if (p === 'ctrl' || p === 'control') c.ctrl = true;
    else if (p === 'alt' || p === 'option') c.alt = true;
    else if (p === 'shift') c.shift = true;
    else if (p === 'meta' || p === 'cmd') c.meta = true;
    else c.key = normKey(raw === '' ? '+' : raw);
  }
  if (!c.key) throw new Error(`shortcut "${spec}" has no key`);
  return c;
}

/** "g l" → [g, l]. */
export function parseSequence(spec: string): KeyCombo[] {
  const tokens = spec.trim().split(/\s+/);
  return tokens.map(parseCombo);
}

const MODIFIER_KEYS = new Set(['shift', 'control', 'alt', 'meta', 'altgraph', 'capslock', 'os', 'dead', 'unidentified', 'process']);

export function isModifierOnly(e: KeyEventLike): boolean {
  return MODIFIER_KEYS.has(e.key.toLowerCase());
}

/** Does this event press this combo? */
export function matches(c: KeyCombo, e: KeyEventLike): boolean {
  const key = normKey(e.key);
  if (key !== c.key) return false;
  if (!!e.ctrlKey !== c.ctrl || !!e.altKey !== c.alt || !!e.metaKey !== c.meta) return false;
  // A printable symbol already says whether shift was held ("?" is shift+/), so shift
  // only counts for letters and named keys.
  const printableSymbol = key.length === 1 && !/[a-z]/.test(key);
  if (!printableSymbol && !!e.shiftKey !== c.shift) return false;
  return true;
}

const LABELS: Record<string, string> = {
  escape: 'Esc',
  enter: 'Enter',
  delete: 'Del',
  backspace: 'Backspace',
  arrowup: '↑',
  arrowdown: '↓',
  arrowleft: '←',
  arrowright: '→',
  ' ': 'Space',
  pageup: 'PgUp',
  pagedown: 'PgDn',
  home: 'Home',
  end: 'End',
  tab: 'Tab',
};

export function comboLabel(c: KeyCombo): string {
  const k =
    LABELS[c.key] ??
    (/^f\d{1,2}$/.test(c.key) ? c.key.toUpperCase() : c.key.length === 1 ? (c.shift ? c.key.toUpperCase() : c.key) : c.key[0]!.toUpperCase() + c.key.slice(1));
  const mods = [c.ctrl && 'Ctrl', c.alt && 'Alt', c.shift && 'Shift', c.meta && 'Meta'].filter(Boolean) as string[];
  return [...mods, k].join('+');
}

/** Human labels of a spec: "g l" → ["g", "l"] (shown as g then l). */
export function specLabels(spec: string): string[] {
  return parseSequence(spec).map(comboLabel);
}
