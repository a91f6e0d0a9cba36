/**
 * An object event's best-shot crop, fetched when it scrolls into view
 * (review.snapshot; at most four requests at a time; kept while the list lives).
 */
import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../api/client.js';
import { useClient } from '../../api/context.js';

const cache = new WeakMap<ApiClient, Map<number, Promise<string | null>>>();
let running = 0;
const waiting: (() => void)[] = [];

function slot(): Promise<void> {
  if (running < 4) {
    running++;
    return Promise.resolve();
  }
  return new Promise((r) => waiting.push(() => r()));
}
function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

function snapshotOf(client: ApiClient, id: number): Promise<string | null> {
  let m = cache.get(client);
  if (!m) {
    m = new Map();
    cache.set(client, m);
  }
  let p = m.get(id);
  if (!p) {
    p = slot().then(() =>
      client.call('review.snapshot', { id }).then(
        (s) => {
          release();
          return s.dataUrl;
        },
        () => {
          release();
          m!.delete(id);
          return null;
        },
      ),
    );
    m.set(id, p);
    if (m.size > 500) m.delete(m.keys().next().value!);
  }
  return p;
}

export function SnapshotThumb({ id, has, label, large }: { id: number; has: boolean; label: string; large?: boolean }) {
  const client = useClient();
  const ref = useRef<HTMLDivElement>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [seen, setSeen] = useState(typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const el = ref.current;
    if (!el || seen || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((es) => es.some((e) => e.isIntersecting) && setSeen(true));
    io.observe(el);
    return () => io.disconnect();
  }, [seen]);
  useEffect(() => {
    if (!has || !seen) return;
    let live = true;
    void snapshotOf(client, id).then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [client, id, has, seen]);
  return (
    <div ref={ref} className={`review-thumb${large ? ' large' : ''}`} data-testid={large ? 'review-snapshot' : undefined} data-loaded={!!url}>
      {url ? <img src={url} alt={`Best shot of the ${label}`} /> : <span className="muted small">{has ? '…' : 'no shot'}</span>}
    </div>
  );
}
