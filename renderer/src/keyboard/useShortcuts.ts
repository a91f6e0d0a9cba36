import { useEffect, useRef, useSyncExternalStore } from 'react';
import { ShortcutRegistry, type RegisterOptions, type Shortcut, type ShortcutGroup } from './registry.js';

/** The console's one registry. */
export const shortcuts = new ShortcutRegistry();

/** Route window keydowns to the registry. Returns the uninstall function. */
export function installKeyboard(target: Window = window, registry: ShortcutRegistry = shortcuts): () => void {
  const onKey = (e: KeyboardEvent) => {
    registry.handle(e);
  };
  const onBlur = () => registry.reset();
  target.addEventListener('keydown', onKey);
  target.addEventListener('blur', onBlur);
  return () => {
    target.removeEventListener('keydown', onKey);
    target.removeEventListener('blur', onBlur);
  };
}

/**
 * Register shortcuts while the calling component is mounted. The list may be
 * rebuilt on every render: the registry always reads the latest one.
 */
export function useShortcuts(scope: string, list: readonly Shortcut[], o: RegisterOptions & { active?: boolean } = {}): void {
  const ref = useRef(list);
  ref.current = list;
  const active = o.active ?? true;
  const modal = !!o.modal;
  useEffect(() => {
    if (!active) return;
    return shortcuts.register(scope, () => ref.current, { modal });
  }, [scope, active, modal]);
}

/**
 * List keys in the `?` overlay without firing them: a dialog's keys before it
 * opens, keys a text field handles itself.
 */
export function useShortcutReference(scope: string, list: readonly Omit<Shortcut, 'run'>[], o: { active?: boolean } = {}): void {
  const ref = useRef(list);
  ref.current = list;
  const active = o.active ?? true;
  useEffect(() => {
    if (!active) return;
    return shortcuts.register(scope, () => ref.current.map((s) => ({ ...s, run: () => false })), { reference: true });
  }, [scope, active]);
}

/** Every shortcut, grouped by scope; re-renders when registrations change. */
export function useShortcutList(): ShortcutGroup[] {
  useSyncExternalStore(
    (cb) => shortcuts.subscribe(cb),
    () => shortcuts.getVersion(),
  );
  return shortcuts.listAll();
}
