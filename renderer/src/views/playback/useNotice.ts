import { useCallback, useEffect, useState } from 'react';

export interface Notice {
  text: string;
  at: number;
}

/** A short status line ("Skipped 3 min without recording") that clears itself after `ms`. */
export function useNotice(ms = 6000): { notice: Notice | null; say: (text: string) => void } {
  const [notice, setNotice] = useState<Notice | null>(null);
  const say = useCallback((text: string) => setNotice({ text, at: Date.now() }), []);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), ms);
    return () => clearTimeout(t);
  }, [notice, ms]);
  return { notice, say };
}
