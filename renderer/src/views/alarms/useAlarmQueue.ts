import { useCallback, useEffect, useRef, useState } from 'react';
import type { Alarm } from '../../../../main/api/alarms.js';
import { useClient, useEvent, useReconnect } from '../../api/context.js';
import { sortQueue, upsert } from './alarm-queue.js';

export interface AlarmQueueState {
  queue: Alarm[];
  loading: boolean;
  error: Error | null;
  reload: () => void;
  /** Apply an alarm returned by a request right away (its event follows). */
  apply: (a: Alarm) => void;
}

/**
 * The open alarms, live: `alarms.queue` once, then every pushed
 * alarm.raised / alarm.changed / alarm.escalated patches the list, so every
 * console shows the same queue within one event. Reloads after a reconnect.
 */
export function useAlarmQueue(o: { onRaised?: (a: Alarm) => void; onEscalated?: (a: Alarm, level: number, reason: string) => void } = {}): AlarmQueueState {
  const client = useClient();
  const [queue, setQueue] = useState<Alarm[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);
  const seq = useRef(0);
  const hooks = useRef(o);
  hooks.current = o;

  const reload = useCallback(() => {
    const n = ++seq.current;
    client.call('alarms.queue', {}).then(
      (list) => {
        if (n !== seq.current) return;
        setQueue(sortQueue(list));
        setError(null);
        setLoading(false);
      },
      (err: Error) => {
        if (n !== seq.current) return;
        setError(err);
        setLoading(false);
      },
    );
  }, [client]);
  useEffect(reload, [reload]);
  useReconnect(reload);

  const apply = useCallback((a: Alarm) => setQueue((q) => upsert(q, a)), []);
  useEvent('alarm.raised', (a) => {
    apply(a);
    hooks.current.onRaised?.(a);
  });
  useEvent('alarm.changed', ({ alarm }) => apply(alarm));
  useEvent('alarm.escalated', ({ alarm, level, reason }) => {
    apply(alarm);
    hooks.current.onEscalated?.(alarm, level, reason);
  });
  return { queue, loading, error, reload, apply };
}
