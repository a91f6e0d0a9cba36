import { useEffect, useRef, useState } from 'react';
import { type Alarm } from '../../../../main/api/alarms.js';
import { PRIORITY_STYLES } from './priority-style.js';
import { roleRank } from '../../../../main/api/contract.js';
import { useClient, useConnection } from '../../api/context.js';
import { useShortcutReference, useShortcuts } from '../../keyboard/useShortcuts.js';
import { usePublishFocusCamera } from '../../state/focus-camera.js';
import { useNow } from '../../state/now.js';
import { navigate, useRoute } from '../../state/route.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDurationMs } from '../../time/index.js';
import { useToast } from '../../ui/toast.js';
import { keepSelection, secondsToEscalation, STATE_TEXT } from './alarm-queue.js';
import { AlarmDetail, PriorityChip } from './AlarmDetail.js';
import { AlarmPrompt, PROMPT_KEYS, type PromptKind } from './AlarmDialogs.js';
import { MEDIA_MODES, type MediaMode } from './AlarmMedia.js';
import { useOpenAlarms } from './OpenAlarms.js';
import { setMutedUntil } from './sound.js';
import { useMutedUntil, type Escalation } from './useAlarmAlerts.js';

function ageText(iso: string, now: number): string {
  return formatDurationMs(now - Date.parse(iso));
}

/** The top strip: the most urgent alarm nobody acknowledged yet, and supervisor notices. */
function Banner({ queue, now, lastRaisedId, escalations, isSupervisor, mutedUntil }: {
  queue: Alarm[];
  now: number;
  lastRaisedId: number | null;
  escalations: Escalation[];
  isSupervisor: boolean;
  mutedUntil: number;
}) {
  const waiting = queue.filter((a) => a.state === 'new');
  const top = waiting[0];
  return (
    <div className="alarm-banners">
      {top && (
        <div
          className={`alarm-banner${top.id === lastRaisedId ? ' fresh' : ''}`}
          role="alert"
          data-testid="alarm-banner"
          data-alarm={top.id}
          style={{ borderColor: PRIORITY_STYLES[top.priority].color, background: PRIORITY_STYLES[top.priority].tint }}
        >
          <PriorityChip p={top.priority} />
          <b className="ab-title">{top.title}</b>
          <span className="muted">{ageText(top.createdAt, now)} ago</span>
          {top.count > 1 && <span className="ab-count">×{top.count}</span>}
          {waiting.length > 1 && <span className="muted">+{waiting.length - 1} more waiting</span>}
          <span className="spacer" />
          <span className="ab-keys">
            <kbd>A</kbd> acknowledge · <kbd>Enter</kbd> acknowledge and open
          </span>
        </div>
      )}
      {isSupervisor &&
        escalations.map((e) => (
          <div key={e.alarm.id} className="alarm-banner escalation" role="alert" data-testid="alarm-escalation">
            <span className="ab-esc">ESCALATED</span>
            <b>
              #{e.alarm.id} {e.alarm.title}
            </b>
            <span className="muted">
              {e.reason === 'timeout' ? `not acknowledged in time (level ${e.level})` : `escalated by a guard`}
            </span>
          </div>
        ))}
      {mutedUntil > now && (
        <div className="alarm-muted" data-testid="alarm-muted" role="status">
          Sound muted for {Math.ceil((mutedUntil - now) / 1000)} s
        </div>
      )}
    </div>
  );
}

function QueueRow({ a, active, now, onSelect, props }: { a: Alarm; active: boolean; now: number; onSelect: () => void; props: { ref: (el: HTMLElement | null) => void } }) {
  const s = PRIORITY_STYLES[a.priority];
  const esc = secondsToEscalation(a, now);
  return (
    <li
      ref={props.ref}
      className={`aq-row st-${a.state}${active ? ' active' : ''}`}
      data-testid="alarm-row"
      data-alarm={a.id}
      data-state={a.state}
      data-priority={a.priority}
      aria-selected={active}
      role="option"
      tabIndex={active ? 0 : -1}
      onClick={onSelect}
      style={{ ['--prio' as string]: s.color, background: a.state === 'new' ? s.tint : undefined }}
    >
      <span className="aq-prio" style={{ color: s.color }}>
        P{a.priority}
      </span>
      <span className="aq-main">
        <span className="aq-title">{a.title}</span>
        <span className="aq-sub">
          {STATE_TEXT[a.state]}
          {a.claimedBy ? ` · ${a.claimedBy}` : ''}
          {a.resolvedAt ? ' · cleared' : ''}
          {a.escalation ? ` · ↑${a.escalation}` : ''}
          {esc !== null && esc <= 15 ? ` · escalates ${esc > 0 ? `in ${esc} s` : 'now'}` : ''}
        </span>
      </span>
      {a.count > 1 && <span className="aq-count">×{a.count}</span>}
      <span className="aq-age">{ageText(a.createdAt, now)}</span>
    </li>
  );
}

/** The guard's queue and the alarm being worked, driven entirely from the keyboard. */
export function AlarmQueue({ active = true }: { active?: boolean }) {
  const client = useClient();
  const conn = useConnection();
  const me = conn.user!;
  const toast = useToast();
  const now = useNow(1000);
  const tz = useTimeZone();
  const mutedUntil = useMutedUntil();
  const q = useOpenAlarms();
  const route = useRoute();
  const [index, setIndex] = useState(0);
  const prevQueue = useRef<Alarm[]>([]);
  const [prompt, setPrompt] = useState<PromptKind | null>(null);
  const [expanded, setExpanded] = useState(false);
  const [full, setFull] = useState(false);
  const [mediaMode, setMediaMode] = useState<MediaMode>('both');
  const rows = useRef<Array<HTMLElement | null>>([]);
  const listRef = useRef<HTMLUListElement>(null);

  // keep the same alarm selected while others come and go
  useEffect(() => {
    setIndex((i) => keepSelection(prevQueue.current, q.queue, i));
    prevQueue.current = q.queue;
  }, [q.queue]);

  // #/alarms?alarm=ID (the banner's Open, the takeover): select it and show it with its cameras.
  const wanted = route.params.alarm ? Number(route.params.alarm) : null;
  const shownFor = useRef<number | null>(null);
  useEffect(() => {
    if (wanted === null || shownFor.current === wanted) return;
    const i = q.queue.findIndex((a) => a.id === wanted);
    if (i < 0) return;
    shownFor.current = wanted;
    setIndex(i);
    setExpanded(true);
    rows.current[i]?.scrollIntoView?.({ block: 'nearest' });
  }, [wanted, q.queue]);

  const sel: Alarm | undefined = q.queue[Math.min(index, q.queue.length - 1)];
  const isSupervisor = roleRank[me.role] >= roleRank.supervisor;
  usePublishFocusCamera(sel?.cameraIds[0] ?? null);

  const move = (d: number) => {
    if (!q.queue.length) return;
    const n = Math.max(0, Math.min(q.queue.length - 1, index + d));
    setIndex(n);
    rows.current[n]?.scrollIntoView?.({ block: 'nearest' });
  };

  const run = async (what: string, fn: () => Promise<Alarm>) => {
    try {
      q.apply(await fn());
    } catch (err) {
      toast(`${what}: ${(err as Error).message}`, 'error');
    }
  };
  const need = (): Alarm | null => {
    if (!sel) toast('The queue is empty.', 'info');
    return sel ?? null;
  };

  const acknowledge = () => {
    const a = need();
    if (!a) return;
    if (a.state !== 'new') return toast(`#${a.id} is already ${STATE_TEXT[a.state].toLowerCase()}.`, 'info');
    void run('Acknowledge', () => client.call('alarms.transition', { id: a.id, action: 'acknowledge' }));
  };
  /** Enter: start working it. A new alarm is acknowledged first (it stops counting down to escalation), then started. */
  const open = () => {
    const a = need();
    if (!a) return;
    setExpanded(true);
    const mine = !a.claimedBy || a.claimedBy === me.username;
    if (a.state === 'new' && mine) {
      void run('Acknowledge', async () => {
        const ack = await client.call('alarms.transition', { id: a.id, action: 'acknowledge' });
        q.apply(ack);
        return client.call('alarms.transition', { id: a.id, action: 'start' });
      });
    } else if (a.state === 'acknowledged' && mine) {
      void run('Start', () => client.call('alarms.transition', { id: a.id, action: 'start' }));
    }
  };
  const openInPlayback = () => {
    const a = need();
    if (!a) return;
    const m = a.media[0];
    if (!m) return toast('No camera is linked to this alarm.', 'info');
    navigate('playback', { camera: m.cameraId, t: m.from });
  };
  const toggleFull = () => {
    if (!need()) return;
    if (!sel?.media.length) return toast('No camera is linked to this alarm.', 'info');
    setExpanded(true);
    setFull((f) => !f);
    setMediaMode((m) => (m === 'both' ? 'live' : m));
  };
  const swapMedia = () =>
    setMediaMode((m) => (full ? (m === 'live' ? 'replay' : 'live') : MEDIA_MODES[(MEDIA_MODES.indexOf(m) + 1) % MEDIA_MODES.length]!));
  const hold = () => {
    const a = need();
    if (!a) return;
    if (a.state === 'on_hold') return void run('Resume', () => client.call('alarms.transition', { id: a.id, action: 'resume' }));
    if (a.state === 'new') return toast('Acknowledge it first (A), then put it on hold.', 'info');
    setPrompt('hold');
  };
  const mute = async () => {
    try {
      const r = await client.call('alarms.mute', { seconds: 30 });
      setMutedUntil(Date.parse(r.until));
      toast('Alarm sounds muted for 30 s on this console.', 'info');
    } catch (err) {
      toast(`Mute: ${(err as Error).message}`, 'error');
    }
  };
  const takeOver = () => {
    const a = need();
    if (!a) return;
    if (!isSupervisor) return toast('Only a supervisor can take an alarm over.', 'info');
    void run('Take over', () => client.call('alarms.claim', { id: a.id, takeover: true }));
  };

  const submitPrompt = async (kind: PromptKind, text: string) => {
    const a = sel;
    if (!a) throw new Error('the alarm is gone from the queue');
    let r: Alarm;
    switch (kind) {
      case 'comment':
        r = await client.call('alarms.comment', { id: a.id, comment: text });
        break;
      case 'hold':
        r = await client.call('alarms.transition', { id: a.id, action: 'hold', ...(text ? { comment: text } : {}) });
        break;
      case 'escalate':
        r = await client.call('alarms.escalate', { id: a.id, ...(text ? { comment: text } : {}) });
        break;
      case 'close':
        // a new alarm is acknowledged first: both steps are recorded
        if (a.state === 'new') q.apply(await client.call('alarms.transition', { id: a.id, action: 'acknowledge' }));
        r = await client.call('alarms.transition', { id: a.id, action: 'close', reason: text });
        setExpanded(false);
        setFull(false);
        break;
      case 'panic':
        throw new Error('the panic dialog is the shell\'s');
    }
    q.apply(r);
  };

  const withAlarm = (kind: PromptKind) => () => {
    if (need()) setPrompt(kind);
  };
  useShortcuts(
    'Alarms',
    [
      { keys: ['j', 'down'], description: 'Next alarm', run: () => move(1) },
      { keys: ['k', 'up'], description: 'Previous alarm', run: () => move(-1) },
      { keys: 'a', description: 'Acknowledge', run: acknowledge },
      { keys: 'c', description: 'Comment', run: withAlarm('comment') },
      { keys: 'e', description: 'Escalate to supervisors', run: withAlarm('escalate') },
      { keys: 'h', description: 'Hold / resume', run: hold },
      { keys: 'x', description: 'Close (asks for a reason)', run: withAlarm('close') },
      { keys: 'enter', description: 'Start working the alarm: acknowledges a new one and opens it with its cameras', run: open },
      { keys: 'f', description: 'Alarm video full size (the first camera), or back', run: toggleFull },
      { keys: 'l', description: 'Swap live / replay (full size); else live and replay / live / replay', run: swapMedia },
      { keys: 'p', description: 'Open the alarm in Playback (its first camera, from the pre-roll)', run: openInPlayback },
      {
        keys: 'esc',
        description: 'Leave the full-size video, then back to the queue',
        run: () => (full ? setFull(false) : expanded ? setExpanded(false) : false),
      },
      { keys: 'm', description: 'Mute sounds for 30 s', run: () => void mute() },
      { keys: 't', description: 'Take over (supervisor)', run: takeOver, enabled: isSupervisor },
    ],
    { active: active && !prompt },
  );
  useShortcutReference('Alarm dialogs (comment, close, hold, escalate, panic)', PROMPT_KEYS, { active });

  return (
    <div className={`alarm-queue-view${expanded ? ' expanded' : ''}${full ? ' full' : ''}`} data-testid="alarm-queue-view">
      <Banner queue={q.queue} now={now} lastRaisedId={q.lastRaisedId} escalations={q.escalations} isSupervisor={isSupervisor} mutedUntil={mutedUntil} />
      <div className="aq-split">
        <div className="aq-list-wrap">
          <div className="aq-list-head">
            <h3>Queue</h3>
            <span className="muted" data-testid="alarm-count">
              {q.queue.length} open · {q.queue.filter((a) => a.state === 'new').length} new
            </span>
          </div>
          {q.error && <div className="notice notice-error">Could not load the queue: {q.error.message}</div>}
          {!q.loading && q.queue.length === 0 && (
            <div className="empty" data-testid="alarm-queue-empty">
              No open alarms. New ones appear here with a sound.
            </div>
          )}
          <ul className="aq-list" role="listbox" aria-label="Open alarms" ref={listRef} data-testid="alarm-queue">
            {q.queue.map((a, i) => (
              <QueueRow
                key={a.id}
                a={a}
                active={i === index}
                now={now}
                onSelect={() => setIndex(i)}
                props={{
                  ref: (el) => {
                    rows.current[i] = el;
                  },
                }}
              />
            ))}
          </ul>
          <div className="aq-keys muted small-print">
            <kbd>J</kbd>/<kbd>K</kbd> move · <kbd>A</kbd> ack · <kbd>Enter</kbd> ack and open · <kbd>C</kbd> comment · <kbd>E</kbd> escalate · <kbd>H</kbd> hold · <kbd>X</kbd> close · <kbd>F</kbd> video full size · <kbd>L</kbd> live/replay · <kbd>P</kbd> playback · <kbd>M</kbd> mute 30 s · <kbd>Shift+P</kbd> panic
          </div>
        </div>
        <div className="aq-detail-wrap">
          {sel ? (
            <AlarmDetail alarm={sel} now={now} timeZone={tz} mediaMode={mediaMode} expanded={expanded} full={full} />
          ) : (
            <div className="empty muted">Select an alarm to see its cameras, procedure and history.</div>
          )}
        </div>
      </div>
      {prompt && <AlarmPrompt kind={prompt} alarm={prompt === 'panic' ? null : (sel ?? null)} onSubmit={(t) => submitPrompt(prompt, t)} onClose={() => setPrompt(null)} />}
    </div>
  );
}
