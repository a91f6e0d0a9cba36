/**
 * Keyboard API for every view:
 *
 *   useShortcuts('Playback', [
 *     { keys: 'space', description: 'Play / pause', run: () => toggle() },
 *     { keys: ['left', 'j'], description: 'Back 10 s', run: () => seek(-10) },
 *   ]);
 *
 * Shortcuts live while the component is mounted; the newest registration wins,
 * and dialogs register with `{ modal: true }` so the view underneath goes quiet.
 * `?` shows them all, grouped by scope.
 */
export { ShortcutRegistry, isTypingTarget, type Shortcut, type ShortcutGroup, type RegisterOptions } from './registry.js';
export { parseSequence, parseCombo, matches, specLabels, comboLabel, type KeyCombo, type KeyEventLike } from './keys.js';
export { shortcuts, installKeyboard, useShortcuts, useShortcutList, useShortcutReference } from './useShortcuts.js';
export { useRovingList, useFocusTrap, type RovingList } from './focus.js';
