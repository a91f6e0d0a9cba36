/**
 * One keyboard map for the whole console. Each view registers its shortcuts
 * with a scope name and descriptions (see useShortcuts); `?` lists them all.
 *
 * Dispatch rules:
 *  - the newest registration wins (a dialog opened over a view comes first);
 *  - a `modal` registration (dialogs, overlays) hides everything registered before it;
 *  - keys are ignored while typing in an input, textarea, select or editable
 *    element, except Esc and shortcuts marked `allowInInput`;
 *  - Enter and Space on a focused button or link are left to the browser;
 *  - sequences ("g l") wait up to 1.5 s for the next key.
 */
import { isModifierOnly, matches, parseSequence, type KeyCombo, type KeyEventLike } from './keys.js';

export interface Shortcut {
  /** One spec or alternatives: "j", ["j", "down"], "g l", "F1", "shift+n". */
  keys: string | string[];
  description: string;
  /** Return false to let the key fall through to older registrations. */
  run: (e: KeyEventLike) => void | boolean;
  /** Also fire while focus is in a text field. Esc always does. */
  allowInInput?: boolean;
  /** Disabled shortcuts neither fire nor show in the overlay (e.g. admin-only). */
  enabled?: boolean;
  /** Fire but leave out of the overlay. */
  hidden?: boolean;
  /** How the overlay shows the keys when listing them all is too long, e.g. "1 … 9, 0". */
  display?: string;
}

export interface RegisterOptions {
  /** Hide every older registration while this one exists (dialogs). */
  modal?: boolean;
  /**
   * Listed by `?` but never fired: the keys of a dialog that is not open yet,
   * or keys a text field handles itself (Enter sends, Shift+Enter new line),
   * so the overlay can list every key of the console.
   */
  reference?: boolean;
}

interface Registration {
  id: number;
  scope: string;
  get: () => readonly Shortcut[];
  modal: boolean;
  reference: boolean;
}

export interface ShortcutGroup {
  scope: string;
  shortcuts: Array<{ keys: string[]; description: string; display?: string }>;
}

const SEQUENCE_TIMEOUT_MS = 1500;

export function isTypingTarget(t: unknown): boolean {
  const el = t as { tagName?: string; isContentEditable?: boolean; type?: string } | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (el.type ?? 'text').toLowerCase();
    return !['button', 'submit', 'reset', 'checkbox', 'radio', 'range', 'color', 'file', 'image'].includes(type);
  }
  return !!el.isContentEditable;
}

function isActivatable(t: unknown): boolean {
  const el = t as { tagName?: string; getAttribute?: (n: string) => string | null; type?: string } | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toUpperCase();
  if (tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY') return true;
  if (tag === 'INPUT' && ['checkbox', 'radio', 'button', 'submit'].includes((el.type ?? '').toLowerCase())) return true;
  const role = el.getAttribute?.('role');
  return role === 'button' || role === 'tab' || role === 'switch' || role === 'checkbox';
}

export class ShortcutRegistry {
  private regs: Registration[] = [];
  private nextId = 1;
  private pending: KeyCombo[] = [];
  private pendingAt = 0;
  private listeners = new Set<() => void>();
  private version = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Register shortcuts under a scope. `get` is read at each key press, so closures stay fresh. */
  register(scope: string, shortcuts: readonly Shortcut[] | (() => readonly Shortcut[]), o: RegisterOptions = {}): () => void {
    const reg: Registration = {
      id: this.nextId++,
      scope,
      get: typeof shortcuts === 'function' ? shortcuts : () => shortcuts,
      modal: !!o.modal && !o.reference,
      reference: !!o.reference,
    };
    this.regs.push(reg);
    this.changed();
    return () => {
      const i = this.regs.indexOf(reg);
      if (i >= 0) {
        this.regs.splice(i, 1);
        this.changed();
      }
    };
  }

  /** Be told when registrations come or go (the overlay re-renders). */
  subscribe(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
  getVersion = (): number => this.version;

  private changed(): void {
    this.version++;
    for (const cb of [...this.listeners]) cb();
  }

  /** Registrations that may fire now, newest first. */
  private active(): Registration[] {
    let from = 0;
    for (let i = this.regs.length - 1; i >= 0; i--) {
      if (this.regs[i]!.modal) {
        from = i;
        break;
      }
    }
    return this.regs
      .slice(from)
      .filter((r) => !r.reference)
      .reverse();
  }

  /** Is a modal (dialog/overlay) registered right now? */
  hasModal(): boolean {
    return this.regs.some((r) => r.modal);
  }

  /** Handle a keydown. Returns true when a shortcut took it (the event was prevented). */
  handle(e: KeyEventLike): boolean {
    if (e.defaultPrevented || isModifierOnly(e)) return false;
    if (this.pending.length && this.now() - this.pendingAt > SEQUENCE_TIMEOUT_MS) this.pending = [];
    const typing = isTypingTarget(e.target);
    const onButton = isActivatable(e.target);
    const attempt = (prefix: KeyCombo[]): 'ran' | 'wait' | 'none' => {
      const n = prefix.length + 1;
      let wait = false;
      for (const reg of this.active()) {
        for (const s of reg.get()) {
          if (s.enabled === false) continue;
          for (const spec of Array.isArray(s.keys) ? s.keys : [s.keys]) {
            const seq = parseSequence(spec);
            if (seq.length < n) continue;
            if (!prefix.every((c, i) => sameCombo(c, seq[i]!))) continue;
            const c = seq[n - 1]!;
            if (!matches(c, e)) continue;
            if (typing && !s.allowInInput && c.key !== 'escape') continue;
            if (onButton && n === 1 && seq.length === 1 && (c.key === 'enter' || c.key === ' ') && !c.ctrl && !c.alt && !c.meta) continue;
            if (seq.length > n) {
              wait = true;
              continue;
            }
            if (s.run(e) === false) continue;
            return 'ran';
          }
        }
      }
      return wait ? 'wait' : 'none';
    };
    const asCombo = toCombo(e);
    let r = attempt(this.pending);
    if (r === 'none' && this.pending.length) {
      this.pending = [];
      r = attempt([]);
    }
    if (r === 'none') return false;
    if (r === 'wait') {
      this.pending = [...this.pending, asCombo];
      this.pendingAt = this.now();
    } else this.pending = [];
    e.preventDefault?.();
    e.stopPropagation?.();
    return true;
  }

  /** Every visible shortcut that could fire now, grouped by scope (Global first). */
  list(): ShortcutGroup[] {
    const groups = new Map<string, ShortcutGroup>();
    for (const reg of [...this.active()].reverse()) {
      const items = reg
        .get()
        .filter((s) => s.enabled !== false && !s.hidden)
        .map((s) => ({
          keys: Array.isArray(s.keys) ? [...s.keys] : [s.keys],
          description: s.description,
          ...(s.display ? { display: s.display } : {}),
        }));
      if (!items.length) continue;
      const g = groups.get(reg.scope) ?? { scope: reg.scope, shortcuts: [] };
      g.shortcuts.push(...items);
      groups.set(reg.scope, g);
    }
    const out = [...groups.values()];
    out.sort((a, b) => (a.scope === 'Global' ? -1 : b.scope === 'Global' ? 1 : 0));
    return out;
  }

  /** Every registration regardless of modals, for the overlay's full listing. */
  listAll(): ShortcutGroup[] {
    const groups = new Map<string, ShortcutGroup>();
    for (const reg of this.regs) {
      const items = reg
        .get()
        .filter((s) => s.enabled !== false && !s.hidden)
        .map((s) => ({
          keys: Array.isArray(s.keys) ? [...s.keys] : [s.keys],
          description: s.description,
          ...(s.display ? { display: s.display } : {}),
        }));
      if (!items.length) continue;
      const g = groups.get(reg.scope) ?? { scope: reg.scope, shortcuts: [] };
      for (const it of items)
        if (!g.shortcuts.some((x) => x.description === it.description && x.keys.join() === it.keys.join())) g.shortcuts.push(it);
      groups.set(reg.scope, g);
    }
    const out = [...groups.values()];
    out.sort((a, b) => (a.scope === 'Global' ? -1 : b.scope === 'Global' ? 1 : 0));
    return out;
  }

  /** Forget a half-typed sequence (e.g. when the window loses focus). */
  reset(): void {
    this.pending = [];
  }
  /** True while the first key of a sequence ("g") waits for the next. */
  get waiting(): boolean {
    return this.pending.length > 0 && this.now() - this.pendingAt <= SEQUENCE_TIMEOUT_MS;
  }
}

function sameCombo(a: KeyCombo, b: KeyCombo): boolean {
  return (
    a.key === b.key &&
    a.ctrl === b.ctrl &&
    a.alt === b.alt &&
    a.meta === b.meta &&
    (a.shift === b.shift || (a.key.length === 1 && !/[a-z]/.test(a.key)))
  );
}

function toCombo(e: KeyEventLike): KeyCombo {
  const k = e.key.toLowerCase();
  const key = k === 'esc' ? 'escape' : k === 'spacebar' ? ' ' : k;
  return { key, ctrl: !!e.ctrlKey, alt: !!e.altKey, shift: !!e.shiftKey, meta: !!e.metaKey };
}
