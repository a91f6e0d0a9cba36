import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Alarm } from '../../../../main/api/alarms.js';
import { isMuted, mutedUntilMs, onMuteChange, playAlarm, unlockAudioOnGesture } from './sound.js';

/** Unacknowledged P1 alarms sound again this often, P2 less often, lower ones once. */
const REPEAT_MS: Record<number, number> = { 1: 10_000, 2: 30_000 };

// Several components may want to alert (the alarms view, the shell's banner):
// only the first one mounted makes sounds, so nothing plays twice.
const owners: object[] = [];

export function useMutedUntil(): number {
  return useSyncExternalStore(onMuteChange, mutedUntilMs);
}

export interface Escalation {
  alarm: Alarm;
  level: number;
  reason: string;
  at: number;
}

/**
 * Sounds and notices for a live queue: a tone per priority when an alarm
 * arrives, louder on escalation, repeats while P1/P2 stay unacknowledged.
 * Returns the escalations not yet acknowledged (supervisor notices).
 */
export function useAlarmAlerts(queue: Alarm[]): {
  onRaised: (a: Alarm) => void;
  onEscalated: (a: Alarm, level: number, reason: string) => void;
  escalations: Escalation[];
  lastRaisedId: number | null;
} {
  const me = useRef({});
  const [escalations, setEscalations] = useState<Escalation[]>([]);
  const [lastRaisedId, setLastRaised] = useState<number | null>(null);
  const queueRef = useRef(queue);
  queueRef.current = queue;

  useEffect(() => {
    const token = me.current;
    owners.push(token);
    const off = unlockAudioOnGesture();
    return () => {
      off();
      owners.splice(owners.indexOf(token), 1);
    };
  }, []);
  const owner = () => owners[0] === me.current;

  useEffect(() => {
    const last = new Map<number, number>();
    const iv = setInterval(() => {
      if (!owner() || isMuted()) return;
      const now = Date.now();
      const urgent = queueRef.current.filter((a) => a.state === 'new' && REPEAT_MS[a.priority]);
      const top = urgent[0];
      if (!top) return;
      const every = REPEAT_MS[top.priority]!;
      const prev = last.get(top.priority) ?? Date.parse(top.createdAt);
      if (now - prev >= every) {
        last.set(top.priority, now);
        playAlarm(top.priority, { loud: top.escalation > 0 });
      }
    }, 1000);
    return () => clearInterval(iv);
  }, []);

  // a timeout notice goes once the alarm is acknowledged; a hand escalation once it is closed
  useEffect(() => {
    setEscalations((es) => es.filter((e) => queue.some((a) => a.id === e.alarm.id && (a.state === 'new' || e.reason === 'manual'))));
  }, [queue]);

  return {
    onRaised: (a) => {
      setLastRaised(a.id);
      if (owner()) playAlarm(a.priority);
    },
    onEscalated: (a, level, reason) => {
      if (owner()) playAlarm(a.priority, { loud: true });
      setEscalations((es) => [{ alarm: a, level, reason, at: Date.now() }, ...es.filter((e) => e.alarm.id !== a.id)].slice(0, 5));
    },
    escalations,
    lastRaisedId,
  };
}
