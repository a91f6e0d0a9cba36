/**
 * One alarm on the phone: its camera live or the replay before the alarm
 * (one camera at a time), the procedure, the history, and the actions by
 * touch. The actions are the desk's requests (alarms.transition, .comment,
 * .escalate), so the state machine and the audit trail are the same.
 */
import { useEffect, useState } from 'react';
import { ALARM_TYPE_LABELS, type Alarm, type AlarmEntry } from '../../../../main/api/alarms.js';
import { useClient, useEvent } from '../../api/context.js';
import { useCameras } from '../../state/cameras.js';
import { useNow } from '../../state/now.js';
import { navigate } from '../../state/route.js';
import { useTimeZone } from '../../state/settings.js';
import { formatAgo, formatWhen } from '../../time/index.js';
import { useToast } from '../../ui/toast.js';
import { STATE_TEXT } from '../alarms/alarm-queue.js';
import { AlarmPrompt, type PromptKind } from '../alarms/AlarmDialogs.js';
import { entryLine, PriorityChip } from '../alarms/AlarmDetail.js';
import { AlarmCameraPane } from '../alarms/AlarmMedia.js';
import { useOpenAlarms } from '../alarms/OpenAlarms.js';

export function PhoneAlarmDetail({ id }: { id: number }) {
  const client = useClient();
  const toast = useToast();
  const q = useOpenAlarms();
  const { byId } = useCameras();
  const tz = useTimeZone();
  const now = useNow(1000);
  const [fetched, setFetched] = useState<Alarm | null>(null);
  const [entries, setEntries] = useState<AlarmEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [camIndex, setCamIndex] = useState(0);
  const [mode, setMode] = useState<'live' | 'replay'>('live');
  const [prompt, setPrompt] = useState<PromptKind | null>(null);
  const [busy, setBusy] = useState(false);

  const queued = q.queue.find((a) => a.id === id);
  const alarm = queued ?? fetched;

  useEffect(() => {
    let alive = true;
    client.call('alarms.get', { id }).then(
      (r) => {
        if (!alive) return;
        setFetched(r.alarm);
        setEntries(r.entries);
        setError(null);
      },
      (err: Error) => alive && setError(err.message),
    );
    return () => {
      alive = false;
    };
  }, [client, id]);
  useEvent('alarm.changed', ({ alarm: a, entry }) => {
    if (a.id !== id) return;
    setFetched(a);
    if (entry) setEntries((es) => (es.some((x) => x.id === entry.id) ? es : [...es, entry]));
  });

  if (!alarm) {
    return (
      <section className="phone-detail" data-testid="alarm-detail">
        <BackBar />
        {error ? <div className="notice notice-error">{error}</div> : <p className="muted">Loading…</p>}
      </section>
    );
  }

  const apply = (a: Alarm) => {
    q.apply(a);
    setFetched(a);
  };
  const act = async (what: string, fn: () => Promise<Alarm>) => {
    setBusy(true);
    try {
      apply(await fn());
    } catch (err) {
      toast(`${what}: ${(err as Error).message}`, 'error');
    } finally {
      setBusy(false);
    }
  };
  const submit = async (kind: PromptKind, text: string) => {
    let r: Alarm;
    switch (kind) {
      case 'comment':
        r = await client.call('alarms.comment', { id, comment: text });
        break;
      case 'hold':
        r = await client.call('alarms.transition', { id, action: 'hold', ...(text ? { comment: text } : {}) });
        break;
      case 'escalate':
        r = await client.call('alarms.escalate', { id, ...(text ? { comment: text } : {}) });
        break;
      case 'close':
        // a new alarm is acknowledged first: both steps are recorded, as at the desk
        if (alarm.state === 'new') apply(await client.call('alarms.transition', { id, action: 'acknowledge' }));
        r = await client.call('alarms.transition', { id, action: 'close', reason: text });
        toast(`#${id} closed`, 'info');
        break;
      case 'panic':
        throw new Error('not here');
    }
    apply(r);
  };

  const media = alarm.media[Math.min(camIndex, Math.max(0, alarm.media.length - 1))];
  const closed = alarm.state === 'closed';
  const s = alarm.state;
  return (
    <section className="phone-detail" data-testid="alarm-detail" data-alarm={alarm.id} data-state={alarm.state}>
      <BackBar />
      <header className="pd-head">
        <PriorityChip p={alarm.priority} />
        <span className={`alarm-state st-${s}`} data-testid="alarm-detail-state">
          {STATE_TEXT[s]}
        </span>
        <span className="spacer" />
        <span className="muted">#{alarm.id}</span>
      </header>
      <h1 className="pd-title">{alarm.title}</h1>
      <p className="pd-facts">
        {ALARM_TYPE_LABELS[alarm.type]} · {alarm.source}
        <br />
        Raised {formatWhen(alarm.createdAt, tz, now)} ({formatAgo(alarm.createdAt, now)}){alarm.claimedBy ? ` · handled by ${alarm.claimedBy}` : ''}
      </p>

      {media ? (
        <div className="pd-media">
          <div className="pd-toggle" role="group" aria-label="Video">
            <button type="button" className={`btn${mode === 'live' ? ' primary' : ''}`} aria-pressed={mode === 'live'} onClick={() => setMode('live')} data-testid="phone-media-live">
              Live
            </button>
            <button type="button" className={`btn${mode === 'replay' ? ' primary' : ''}`} aria-pressed={mode === 'replay'} onClick={() => setMode('replay')} data-testid="phone-media-replay">
              Before the alarm
            </button>
          </div>
          <AlarmCameraPane key={`${media.cameraId}-${mode}`} media={media} alarmAt={Date.parse(alarm.createdAt)} cameraName={byId(media.cameraId)?.name ?? media.cameraId} mode={mode} timeZone={tz} visible={!closed} />
          {alarm.media.length > 1 && (
            <div className="pd-cams" role="group" aria-label="Cameras of this alarm">
              {alarm.media.map((m, i) => (
                <button key={m.cameraId} type="button" className={`btn${i === camIndex ? ' primary' : ''}`} aria-pressed={i === camIndex} onClick={() => setCamIndex(i)}>
                  {byId(m.cameraId)?.name ?? m.cameraId}
                </button>
              ))}
            </div>
          )}
        </div>
      ) : (
        <p className="muted">No camera is linked to this alarm.</p>
      )}

      {!closed && (
        <div className="pd-actions" data-testid="phone-actions">
          {s === 'new' && (
            <button type="button" className="btn primary big" disabled={busy} onClick={() => void act('Acknowledge', () => client.call('alarms.transition', { id, action: 'acknowledge' }))} data-testid="phone-ack">
              Acknowledge
            </button>
          )}
          {s === 'acknowledged' && (
            <button type="button" className="btn primary big" disabled={busy} onClick={() => void act('Start', () => client.call('alarms.transition', { id, action: 'start' }))} data-testid="phone-start">
              Start working it
            </button>
          )}
          {s === 'on_hold' && (
            <button type="button" className="btn primary big" disabled={busy} onClick={() => void act('Resume', () => client.call('alarms.transition', { id, action: 'resume' }))} data-testid="phone-resume">
              Resume
            </button>
          )}
          <button type="button" className="btn" onClick={() => setPrompt('comment')} data-testid="phone-comment">
            Comment
          </button>
          {(s === 'acknowledged' || s === 'in_progress') && (
            <button type="button" className="btn" onClick={() => setPrompt('hold')} data-testid="phone-hold">
              Hold
            </button>
          )}
          <button type="button" className="btn" onClick={() => setPrompt('escalate')} data-testid="phone-escalate">
            Escalate
          </button>
          <button type="button" className="btn danger-outline" onClick={() => setPrompt('close')} data-testid="phone-close">
            Close…
          </button>
        </div>
      )}
      {closed && (
        <div className="notice phone-note" data-testid="phone-closed">
          <p>Closed{alarm.closeReason ? `: ${alarm.closeReason}` : ''}.</p>
          <a className="btn" href="#/alarms" data-testid="phone-back-queue">
            Back to the queue
          </a>
        </div>
      )}

      <h3>Procedure</h3>
      <pre className="ad-sop pd-sop" data-testid="alarm-sop">
        {alarm.sop}
      </pre>
      <h3>History</h3>
      <ol className="pd-history" data-testid="alarm-history">
        {entries.map((e) => (
          <li key={e.id}>
            <span className="muted">{formatWhen(e.time, tz, now)}</span> <b>{e.user}</b> {entryLine(e)}
            {e.comment && <div className="ad-h-comment">{e.comment}</div>}
          </li>
        ))}
      </ol>
      {prompt && <AlarmPrompt kind={prompt} alarm={alarm} onSubmit={(t) => submit(prompt, t)} onClose={() => setPrompt(null)} />}
    </section>
  );
}

function BackBar() {
  return (
    <div className="pd-back">
      <button type="button" className="btn ghost" onClick={() => navigate('alarms')} data-testid="phone-back">
        ‹ Queue
      </button>
    </div>
  );
}
