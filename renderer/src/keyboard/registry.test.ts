import { describe, expect, it, vi } from 'vitest';
import { matches, parseCombo, parseSequence, specLabels, type KeyEventLike } from './keys.js';
import { ShortcutRegistry, isTypingTarget } from './registry.js';

function key(k: string, o: Partial<KeyEventLike> = {}): KeyEventLike & { prevented: boolean } {
  const e = {
    key: k,
    prevented: false,
    target: { tagName: 'BODY' },
    preventDefault() {
      e.prevented = true;
    },
    ...o,
  };
  return e;
}
const input = { tagName: 'INPUT', type: 'text' };

describe('key specs', () => {
  it('parses modifiers, aliases and sequences', () => {
    expect(parseCombo('shift+N')).toEqual({ key: 'n', ctrl: false, alt: false, shift: true, meta: false });
    expect(parseCombo('ctrl+s').ctrl).toBe(true);
    expect(parseCombo('esc').key).toBe('escape');
    expect(parseCombo('space').key).toBe(' ');
    expect(parseCombo('down').key).toBe('arrowdown');
    expect(parseSequence('g l').map((c) => c.key)).toEqual(['g', 'l']);
    expect(() => parseCombo('ctrl+')).not.toThrow();
  });
  it('matches letters by shift, symbols regardless of shift', () => {
    expect(matches(parseCombo('j'), key('j'))).toBe(true);
    expect(matches(parseCombo('j'), key('J', { shiftKey: true }))).toBe(false);
    expect(matches(parseCombo('shift+j'), key('J', { shiftKey: true }))).toBe(true);
    expect(matches(parseCombo('?'), key('?', { shiftKey: true }))).toBe(true);
    expect(matches(parseCombo('F1'), key('F1'))).toBe(true);
    expect(matches(parseCombo('j'), key('j', { ctrlKey: true }))).toBe(false);
  });
  it('labels keys for the overlay', () => {
    expect(specLabels('g l')).toEqual(['g', 'l']);
    expect(specLabels('esc')).toEqual(['Esc']);
    expect(specLabels('F5')).toEqual(['F5']);
    expect(specLabels('ctrl+down')).toEqual(['Ctrl+↓']);
    expect(specLabels('space')).toEqual(['Space']);
  });
});

describe('ShortcutRegistry', () => {
  it('runs a matching shortcut and prevents the default', () => {
    const r = new ShortcutRegistry();
    const run = vi.fn();
    r.register('Cameras', [{ keys: ['j', 'down'], description: 'Next', run }]);
    const e = key('ArrowDown');
    expect(r.handle(e)).toBe(true);
    expect(e.prevented).toBe(true);
    expect(r.handle(key('j'))).toBe(true);
    expect(run).toHaveBeenCalledTimes(2);
    expect(r.handle(key('x'))).toBe(false);
  });

  it('ignores keys while typing, except Esc and allowInInput', () => {
    const r = new ShortcutRegistry();
    const next = vi.fn();
    const close = vi.fn();
    const nav = vi.fn();
    r.register('View', [
      { keys: 'j', description: 'Next', run: next },
      { keys: 'esc', description: 'Close', run: close },
      { keys: 'F4', description: 'Cameras', run: nav, allowInInput: true },
    ]);
    expect(r.handle(key('j', { target: input }))).toBe(false);
    expect(r.handle(key('Escape', { target: input }))).toBe(true);
    expect(r.handle(key('F4', { target: { tagName: 'TEXTAREA' } }))).toBe(true);
    expect(r.handle(key('j', { target: { tagName: 'DIV', isContentEditable: true } }))).toBe(false);
    expect(r.handle(key('j', { target: { tagName: 'INPUT', type: 'checkbox' } }))).toBe(true);
    expect(next).toHaveBeenCalledTimes(1);
    expect(close).toHaveBeenCalledTimes(1);
    expect(nav).toHaveBeenCalledTimes(1);
  });

  it('leaves Enter and Space on a focused button to the browser', () => {
    const r = new ShortcutRegistry();
    const run = vi.fn();
    r.register('View', [{ keys: ['enter', 'space'], description: 'Open', run }]);
    expect(r.handle(key('Enter', { target: { tagName: 'BUTTON' } }))).toBe(false);
    expect(r.handle(key(' ', { target: { tagName: 'A' } }))).toBe(false);
    expect(r.handle(key('Enter', { target: { tagName: 'TR' } }))).toBe(true);
  });

  it('prefers the newest registration and falls through when run returns false', () => {
    const r = new ShortcutRegistry();
    const older = vi.fn();
    const newer = vi.fn(() => false as const);
    r.register('Global', [{ keys: 'esc', description: 'a', run: older }]);
    const off = r.register('Details', [{ keys: 'esc', description: 'b', run: newer }]);
    r.handle(key('Escape'));
    expect(newer).toHaveBeenCalledTimes(1);
    expect(older).toHaveBeenCalledTimes(1);
    off();
    r.handle(key('Escape'));
    expect(newer).toHaveBeenCalledTimes(1);
    expect(older).toHaveBeenCalledTimes(2);
  });

  it('lets a modal hide everything registered before it', () => {
    const r = new ShortcutRegistry();
    const viewKey = vi.fn();
    const dialogEsc = vi.fn();
    r.register('Cameras', [{ keys: 'n', description: 'New', run: viewKey }]);
    expect(r.hasModal()).toBe(false);
    const off = r.register('Dialog', [{ keys: 'esc', description: 'Close', run: dialogEsc }], { modal: true });
    expect(r.hasModal()).toBe(true);
    expect(r.handle(key('n'))).toBe(false);
    expect(r.handle(key('Escape'))).toBe(true);
    off();
    expect(r.handle(key('n'))).toBe(true);
    expect(viewKey).toHaveBeenCalledTimes(1);
    expect(dialogEsc).toHaveBeenCalledTimes(1);
  });

  it('handles sequences ("g l") with a timeout, and falls back to single keys', () => {
    let now = 0;
    const r = new ShortcutRegistry(() => now);
    const live = vi.fn();
    const l = vi.fn();
    r.register('Global', [{ keys: 'g l', description: 'Go to Live', run: live }]);
    r.register('View', [{ keys: 'l', description: 'Something else', run: l }]);
    expect(r.handle(key('g'))).toBe(true);
    expect(r.waiting).toBe(true);
    expect(r.handle(key('l'))).toBe(true);
    expect(live).toHaveBeenCalledTimes(1);
    expect(l).not.toHaveBeenCalled();
    // Too slow: the "g" is forgotten and "l" is a key of its own.
    r.handle(key('g'));
    now += 2000;
    r.handle(key('l'));
    expect(live).toHaveBeenCalledTimes(1);
    expect(l).toHaveBeenCalledTimes(1);
    // A key that continues no sequence starts over.
    r.handle(key('g'));
    r.handle(key('x'));
    r.handle(key('l'));
    expect(l).toHaveBeenCalledTimes(2);
  });

  it('skips disabled shortcuts and ignores modifier presses and prevented events', () => {
    const r = new ShortcutRegistry();
    const run = vi.fn();
    r.register('Cameras', [{ keys: 'n', description: 'New', run, enabled: false }]);
    expect(r.handle(key('n'))).toBe(false);
    expect(r.handle(key('Shift', { shiftKey: true }))).toBe(false);
    r.register('X', [{ keys: 'n', description: 'x', run }]);
    expect(r.handle(key('n', { defaultPrevented: true }))).toBe(false);
    expect(run).not.toHaveBeenCalled();
  });

  it('reads the latest shortcut list at each key press', () => {
    const r = new ShortcutRegistry();
    let list = [{ keys: 'a', description: 'one', run: vi.fn() }];
    r.register('View', () => list);
    const second = vi.fn();
    list = [{ keys: 'a', description: 'two', run: second }];
    r.handle(key('a'));
    expect(second).toHaveBeenCalled();
  });

  it('lists shortcuts grouped by scope, Global first, without hidden or disabled ones', () => {
    const r = new ShortcutRegistry();
    const changed = vi.fn();
    r.subscribe(changed);
    r.register('Cameras', [
      { keys: ['j', 'down'], description: 'Next camera', run: () => {} },
      { keys: 'n', description: 'New camera', run: () => {}, enabled: false },
    ]);
    r.register('Global', [
      { keys: ['g c', 'F4'], description: 'Go to Cameras', run: () => {} },
      { keys: 'F4', description: 'dup', run: () => {}, hidden: true },
    ]);
    r.register('Shortcuts', [{ keys: 'esc', description: 'Close', run: () => {}, hidden: true }], { modal: true });
    expect(changed).toHaveBeenCalledTimes(3);
    const all = r.listAll();
    expect(all.map((g) => g.scope)).toEqual(['Global', 'Cameras']);
    expect(all[0]!.shortcuts).toEqual([{ keys: ['g c', 'F4'], description: 'Go to Cameras' }]);
    expect(all[1]!.shortcuts).toEqual([{ keys: ['j', 'down'], description: 'Next camera' }]);
    // What can fire now: only the modal's own (hidden) keys.
    expect(r.list()).toEqual([]);
  });
});

describe('isTypingTarget', () => {
  it('knows text fields from other controls', () => {
    expect(isTypingTarget({ tagName: 'INPUT', type: 'password' })).toBe(true);
    expect(isTypingTarget({ tagName: 'INPUT', type: 'radio' })).toBe(false);
    expect(isTypingTarget({ tagName: 'SELECT' })).toBe(true);
    expect(isTypingTarget({ tagName: 'BUTTON' })).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });

  it('lists reference keys (a dialog not open yet, keys a text field handles) but never fires them', () => {
    const r = new ShortcutRegistry();
    const next = vi.fn();
    r.register('Alarms', [{ keys: 'enter', description: 'Open', run: next }]);
    r.register('Alarm dialogs', [{ keys: 'enter', description: 'Send', run: () => undefined }, { keys: 'shift+enter', description: 'New line', run: () => undefined }], {
      reference: true,
    });
    expect(r.handle(key('Enter'))).toBe(true);
    expect(next).toHaveBeenCalledTimes(1);
    expect(r.hasModal()).toBe(false);
    expect(r.list().map((g) => g.scope)).toEqual(['Alarms']);
    expect(r.listAll().map((g) => g.scope)).toEqual(['Alarms', 'Alarm dialogs']);
    expect(r.listAll()[1]!.shortcuts.map((s) => s.description)).toEqual(['Send', 'New line']);
  });
});
