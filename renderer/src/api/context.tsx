import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { EventMap, EventName, Method, ParamsOf, ResultOf } from '../../../main/api/contract.js';
import type { ApiClient, ClientSnapshot } from './client.js';

const ClientContext = createContext<ApiClient | null>(null);

export function ClientProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): ApiClient {
  const c = useContext(ClientContext);
  if (!c) throw new Error('useClient() outside <ClientProvider>');
  return c;
}

/** Connection state, server hello and session user; re-renders on change. */
export function useConnection(): ClientSnapshot {
  const c = useClient();
  return useSyncExternalStore(c.subscribe, c.snapshot);
}

/** Listen to a pushed event while mounted. The latest callback is always used. */
export function useEvent<E extends EventName>(event: E, cb: (data: EventMap[E]) => void): void {
  const c = useClient();
  const ref = useRef(cb);
  ref.current = cb;
  useEffect(() => c.on(event, (d) => ref.current(d)), [c, event]);
}

/** Run `cb` whenever the connection comes back after a loss (reload data). */
export function useReconnect(cb: () => void): void {
  const c = useClient();
  const ref = useRef(cb);
  ref.current = cb;
  useEffect(() => c.onReconnect(() => ref.current()), [c]);
}

export interface QueryState<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Load one request's result; reload after a reconnect and whenever one of
 * `events` arrives (coalesced over `debounceMs`).
 */
export function useQuery<M extends Method>(
  method: M,
  params: ParamsOf<M>,
  o: { events?: EventName[]; enabled?: boolean; debounceMs?: number } = {},
): QueryState<ResultOf<M>> {
  const c = useClient();
  const key = JSON.stringify(params);
  const enabled = o.enabled ?? true;
  const [state, setState] = useState<{ data: ResultOf<M> | undefined; error: Error | null; loading: boolean }>({
    data: undefined,
    error: null,
    loading: enabled,
  });
  const seq = useRef(0);
  const load = useCallback(() => {
    if (!enabled) return;
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    c.call(method, JSON.parse(key) as ParamsOf<M>).then(
      (data) => n === seq.current && setState({ data, error: null, loading: false }),
      (error: Error) => n === seq.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, [c, method, key, enabled]);

  useEffect(() => {
    load();
  }, [load]);
  useReconnect(load);

  const events = (o.events ?? []).join(',');
  const debounceMs = o.debounceMs ?? 250;
  useEffect(() => {
    if (!events || !enabled) return;
    let t: ReturnType<typeof setTimeout> | null = null;
    const offs = events.split(',').map((e) =>
      c.on(e as EventName, () => {
        if (t) return;
        t = setTimeout(() => {
          t = null;
          load();
        }, debounceMs);
      }),
    );
    return () => {
      offs.forEach((off) => off());
      if (t) clearTimeout(t);
    };
  }, [c, events, enabled, load, debounceMs]);

  return { ...state, reload: load };
}
