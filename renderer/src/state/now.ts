import { useEffect, useState } from 'react';

/** Current time, refreshed every `ms` (for clocks and "3 min ago"). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const align = ms - (Date.now() % ms);
    let iv: ReturnType<typeof setInterval> | null = null;
    const t = setTimeout(() => {
      setNow(Date.now());
      iv = setInterval(() => setNow(Date.now()), ms);
    }, align);
    return () => {
      clearTimeout(t);
      if (iv) clearInterval(iv);
    };
  }, [ms]);
  return now;
}
