/**
 * The review list's data: object events for the filters, page by page
 * (keyset cursors), reloaded when the filters change, when new objects are
 * detected (debounced) and after a reconnect; `mark` marks one reviewed or
 * not and updates the row in place.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ParamsOf } from '../../../../main/api/contract.js';
import type { ReviewItem } from '../../../../main/api/detection.js';
import { useClient, useConnection, useEvent, useReconnect } from '../../api/context.js';

export type ReviewFilters = Omit<ParamsOf<'review.list'>, 'cursor' | 'limit'>;

const PAGE = 100;

export function useReviewList(filters: ReviewFilters) {
  const client = useClient();
  const me = useConnection().user?.username ?? '?';
  const [items, setItems] = useState<ReviewItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const gen = useRef(0);
  const key = JSON.stringify(filters);

  const load = useCallback(
    (next: string | null) => {
      const g = next ? gen.current : ++gen.current;
      setLoading(true);
      client.call('review.list', { ...(JSON.parse(key) as ReviewFilters), cursor: next, limit: PAGE }).then(
        (page) => {
          if (g !== gen.current) return;
          setItems((prev) => (next ? [...prev, ...page.items.filter((i) => !prev.some((p) => p.id === i.id))] : page.items));
          setCursor(page.nextCursor);
          setError(null);
          setLoading(false);
        },
        (err: Error) => {
          if (g !== gen.current) return;
          setError(err.message);
          setLoading(false);
        },
      );
    },
    [client, key],
  );
  useEffect(() => {
    const t = setTimeout(() => load(null), 150);
    return () => clearTimeout(t);
  }, [load]);
  useReconnect(() => load(null));
  // new objects (and objects that ended, with their best shot): the first page again, a moment later
  const soon = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refresh = () => {
    if (soon.current) return;
    soon.current = setTimeout(() => {
      soon.current = null;
      load(null);
    }, 1500);
  };
  useEffect(() => () => void (soon.current && clearTimeout(soon.current)), []);
  useEvent('detection.object', refresh);
  useEvent('alarm.raised', refresh);
  useEvent('review.changed', (e) => setItems((prev) => prev.map((i) => (e.ids.includes(i.id) ? { ...i, reviewed: e.reviewed ? (i.reviewed ?? { at: new Date().toISOString(), by: e.by }) : null } : i))));

  const mark = async (item: ReviewItem, reviewed: boolean) => {
    await client.call('review.mark', { ids: [item.id], reviewed });
    setItems((prev) => prev.map((i) => (i.id === item.id ? { ...i, reviewed: reviewed ? { at: new Date().toISOString(), by: me } : null } : i)));
  };

  return { items, more: !!cursor, loadMore: () => cursor && load(cursor), reload: () => load(null), loading, error, mark };
}
