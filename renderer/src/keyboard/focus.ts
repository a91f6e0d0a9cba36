import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

export interface RovingList {
  index: number;
  setIndex: (i: number) => void;
  move: (delta: number) => void;
  /** Props for item `i`: tabIndex and focus tracking. */
  itemProps: (i: number) => { tabIndex: number; 'data-active': boolean; onFocus: () => void; ref: (el: HTMLElement | null) => void };
  focusCurrent: () => void;
}

/**
 * Roving focus for a list: one item is tabbable, j/k or arrows move it (the
 * caller binds the keys), and the moved-to item takes focus when the list had it.
 */
export function useRovingList(count: number): RovingList {
  const [index, setIndexState] = useState(0);
  const els = useRef<Array<HTMLElement | null>>([]);
  const clamped = count === 0 ? 0 : Math.min(Math.max(0, index), count - 1);
  useEffect(() => {
    if (clamped !== index) setIndexState(clamped);
  }, [clamped, index]);

  const focusAt = useCallback((i: number) => {
    const el = els.current[i];
    if (el) {
      el.focus({ preventScroll: true });
      el.scrollIntoView?.({ block: 'nearest' });
    }
  }, []);
  const setIndex = useCallback(
    (i: number) => {
      if (count === 0) return;
      const n = Math.min(Math.max(0, i), count - 1);
      setIndexState(n);
      focusAt(n);
    },
    [count, focusAt],
  );
  const move = useCallback((d: number) => setIndex(clamped + d), [setIndex, clamped]);
  const itemProps = useCallback(
    (i: number) => ({
      tabIndex: i === clamped ? 0 : -1,
      'data-active': i === clamped,
      onFocus: () => setIndexState(i),
      ref: (el: HTMLElement | null) => {
        els.current[i] = el;
      },
    }),
    [clamped],
  );
  return { index: clamped, setIndex, move, itemProps, focusCurrent: () => focusAt(clamped) };
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Keep Tab inside `ref` while active; focus the first field on open and give focus back on close. */
export function useFocusTrap(ref: RefObject<HTMLElement | null>, active = true): void {
  useEffect(() => {
    if (!active) return;
    const root = ref.current;
    if (!root) return;
    const before = document.activeElement as HTMLElement | null;
    // A field marked data-autofocus, else the dialog itself (Tab then enters it).
    const first = root.querySelector<HTMLElement>('[data-autofocus]');
    (first ?? root).focus({ preventScroll: true });
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Tab') return;
      const items = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
        (el) => el.offsetParent !== null || el === document.activeElement,
      );
      if (!items.length) {
        e.preventDefault();
        return;
      }
      const firstEl = items[0]!;
      const lastEl = items[items.length - 1]!;
      const cur = document.activeElement;
      if (e.shiftKey && (cur === firstEl || !root.contains(cur))) {
        e.preventDefault();
        lastEl.focus();
      } else if (!e.shiftKey && (cur === lastEl || !root.contains(cur))) {
        e.preventDefault();
        firstEl.focus();
      }
    };
    root.addEventListener('keydown', onKey);
    return () => {
      root.removeEventListener('keydown', onKey);
      if (before && document.contains(before)) before.focus({ preventScroll: true });
    };
  }, [ref, active]);
}
