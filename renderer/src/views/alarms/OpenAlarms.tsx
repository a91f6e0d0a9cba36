/**
 * The open alarms for the whole console, loaded once under the shell: the
 * queue, its sounds and escalation notices, which alarms this console must
 * make impossible to miss (priority at or above the console's setting,
 * not acknowledged yet), and the "alarm takes over the screen" mode.
 * The Alarms view, the global banner, the Live and Playback tiles and the
 * navigation count all read this one copy.
 */
import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react';
import type { Alarm } from '../../../../main/api/alarms.js';
import { shortcuts } from '../../keyboard/useShortcuts.js';
import { alerts as isAlerting, useConsolePrefs, type ConsolePrefs } from '../../state/console-prefs.js';
import { navigate } from '../../state/route.js';
import { useAlarmAlerts, type Escalation } from './useAlarmAlerts.js';
import { useAlarmQueue, type AlarmQueueState } from './useAlarmQueue.js';

export interface OpenAlarms extends AlarmQueueState {
  escalations: Escalation[];
  lastRaisedId: number | null;
  prefs: ConsolePrefs;
  /** Not acknowledged, at or above the console's priority: highest priority first, then the newest. */
  alerting: Alarm[];
  /** The first of `alerting` linked to each camera. */
  byCamera: Map<string, Alarm>;
}

const Ctx = createContext<OpenAlarms | null>(null);

/** Highest priority first (1 before 2), then the newest. */
export function alertOrder(a: Alarm, b: Alarm): number {
  return a.priority - b.priority || Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id;
}

export function alertingAlarms(queue: readonly Alarm[], prefs: ConsolePrefs): Alarm[] {
  return queue.filter((a) => a.state === 'new' && isAlerting(prefs, a.priority)).sort(alertOrder);
}

export function alarmsByCamera(alerting: readonly Alarm[]): Map<string, Alarm> {
  const m = new Map<string, Alarm>();
  for (const a of alerting) for (const c of a.cameraIds) if (!m.has(c)) m.set(c, a);
  return m;
}

export function OpenAlarmsProvider({ children }: { children: ReactNode }) {
  const prefs = useConsolePrefs();
  const prefsRef = useRef(prefs);
  prefsRef.current = prefs;
  const alertsRef = useRef<ReturnType<typeof useAlarmAlerts> | null>(null);
  const pending = useRef<number | null>(null);

  // Takeover: switch to the alarm and its cameras, once no dialog is open (a half-typed
  // comment or the panic dialog itself is never thrown away).
  const tryTakeover = useRef(() => {
    const id = pending.current;
    if (id === null || shortcuts.hasModal()) return;
    pending.current = null;
    navigate('alarms', { alarm: String(id) });
  });
  useEffect(() => shortcuts.subscribe(() => tryTakeover.current()), []);

  const q = useAlarmQueue({
    onRaised: (a) => {
      alertsRef.current?.onRaised(a);
      if (prefsRef.current.takeover && isAlerting(prefsRef.current, a.priority)) {
        pending.current = a.id;
        tryTakeover.current();
      }
    },
    onEscalated: (a, l, r) => alertsRef.current?.onEscalated(a, l, r),
  });
  const alerts = useAlarmAlerts(q.queue);
  alertsRef.current = alerts;

  const alerting = useMemo(() => alertingAlarms(q.queue, prefs), [q.queue, prefs]);
  const byCamera = useMemo(() => alarmsByCamera(alerting), [alerting]);
  const value: OpenAlarms = { ...q, escalations: alerts.escalations, lastRaisedId: alerts.lastRaisedId, prefs, alerting, byCamera };
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useOpenAlarms(): OpenAlarms {
  const v = useContext(Ctx);
  if (!v) throw new Error('useOpenAlarms needs <OpenAlarmsProvider> (the shell mounts it)');
  return v;
}
