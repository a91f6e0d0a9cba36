import { useEffect, type RefObject } from 'react';

/**
 * Keys of a view (Enter, Space) are ignored while a link or button has
 * focus, and a click on the navigation leaves focus on its link. Move focus
 * into the view when it opens and whenever its navigation link is clicked,
 * so a guard can click "Live" and press Enter.
 */
export function useViewFocus(root: RefObject<HTMLElement | null>, hash: string, ready = true): void {
  useEffect(() => {
    if (!ready) return;
    const focus = () => root.current?.focus({ preventScroll: true });
    const a = document.activeElement as HTMLElement | null;
    if (!a || a === document.body || a.closest('nav')) focus();
    const onClick = (e: MouseEvent) => {
      const link = (e.target as HTMLElement | null)?.closest?.('nav a');
      if (link && link.getAttribute('href') === hash) setTimeout(focus, 0);
    };
    document.addEventListener('click', onClick, true);
    return () => document.removeEventListener('click', onClick, true);
  }, [root, hash, ready]);
}
