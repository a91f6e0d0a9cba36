import { useCallback, useEffect, useRef, useState } from 'react';
import type { ResultOf } from '../../../../main/api/contract.js';
import { useClient } from '../../api/context.js';

/** Requests that page with a keyset cursor: `{...filters, cursor, limit}` → `{items, nextCursor}`. */
type PagedMethod = 'access.search' | 'audit.list';
type ItemOf<M extends PagedMethod> = ResultOf<M>['items'][number];

/**
 * A filtered list read page by page. `filters` is reloaded (debounced 250 ms)
 * whenever it changes; answers to an older filter are dropped.
 */
export function usePagedList<M extends PagedMethod>(method: M, filters: Record<string, unknown>, pageSize = 100) {
  const client = useClient();
  const [items, setItems] = useState<ItemOf<M>[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const gen = useRef(0);
  const key = JSON.stringify(filters);

  const load = useCallback(
    (next: string | null) => {
      const g = next ? gen.current : ++gen.current;
      const params = { ...(JSON.parse(key) as object), cursor: next, limit: pageSize };
      (client.call(method, params as never) as Promise<ResultOf<M>>).then(
        (page) => {
          if (g !== gen.current) return;
          const got = page.items as ItemOf<M>[];
          setItems((prev) => (next ? [...prev, ...got] : got));
          setCursor(page.nextCursor);
          setError(null);
        },
        (err: Error) => g === gen.current && setError(err.message),
      );
    },
    [client, method, key, pageSize],
  );
  useEffect(() => {
    const t = setTimeout(() => load(null), 250);
    return () => clearTimeout(t);
  }, [load]);

  return { items, cursor, error, setError, load };
}
