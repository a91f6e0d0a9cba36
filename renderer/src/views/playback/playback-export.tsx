/**
 * Exporting from playback: I and O mark the range on the timeline (shown
 * shaded across the tracks), Shift+X clears the marks, Shift+E opens the
 * export dialog for the cameras on screen: the marked range, else the event
 * under the playhead with its pre- and post-roll, else the moment under the
 * playhead with the same pre- and post-roll. Exports need a supervisor.
 */
import { useEffect, useState } from 'react';
import { roleRank } from '../../../../main/api/contract.js';
import { useClient, useConnection } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { formatClock, formatDurationMs, SECOND } from '../../time/index.js';
import { ExportDialog, type ExportSelection } from '../evidence/ExportDialog.js';
import type { TimelineEvent } from './timeline-math/runs.js';
import type { PlaybackClock } from './usePlaybackClock.js';
import type { PlaybackSelection } from './usePlaybackSelection.js';

export interface Marks {
  in: number | null;
  out: number | null;
}

/** What Shift+E exports (pure, for the tests): marks, else the event at the playhead, else the moment. */
export function exportRange(o: { marks: Marks; at: number; events: TimelineEvent[]; shown: string[]; preMs: number; postMs: number }): {
  from: number;
  to: number;
  cameraIds: string[];
  what: 'marks' | 'event' | 'moment';
  event?: TimelineEvent;
} {
  const { marks, at } = o;
  if (marks.in !== null && marks.out !== null && marks.in !== marks.out) {
    return { from: Math.min(marks.in, marks.out), to: Math.max(marks.in, marks.out), cameraIds: o.shown, what: 'marks' };
  }
  if (marks.in !== null && marks.out === null && at > marks.in) return { from: marks.in, to: at, cameraIds: o.shown, what: 'marks' };
  const ev = o.events.filter((e) => Math.abs(e.time - at) <= 2 * SECOND).sort((a, b) => Math.abs(a.time - at) - Math.abs(b.time - at))[0];
  if (ev) {
    const cams = ev.cameraId && o.shown.includes(ev.cameraId) ? [ev.cameraId] : o.shown;
    return { from: ev.time - o.preMs, to: (ev.end ?? ev.time) + o.postMs, cameraIds: cams, what: 'event', event: ev };
  }
  return { from: at - o.preMs, to: at + o.postMs, cameraIds: o.shown, what: 'moment' };
}

export function usePlaybackExport(o: { clock: PlaybackClock; selection: PlaybackSelection; events: TimelineEvent[]; active: boolean; timeZone: string; say: (s: string) => void }) {
  const client = useClient();
  const role = useConnection().user?.role ?? 'guard';
  const supervisor = roleRank[role] >= roleRank.supervisor;
  const [marks, setMarks] = useState<Marks>({ in: null, out: null });
  const [open, setOpen] = useState<ExportSelection | null>(null);
  const [roll, setRoll] = useState({ pre: 10, post: 20 });
  useEffect(() => {
    client.call('alarms.meta', {}).then(
      (m) => setRoll({ pre: m.preRollSeconds, post: m.postRollSeconds }),
      () => undefined,
    );
  }, [client]);
  const t = () => Math.round(o.clock.playhead());
  const shown = o.selection.shown.map((c) => c.id);

  useShortcuts(
    'Playback: export',
    [
      {
        keys: 'i',
        description: 'Mark in (start of an export)',
        run: () => {
          const at = t();
          setMarks((m) => ({ in: at, out: m.out !== null && m.out > at ? m.out : null }));
          o.say(`In ${formatClock(at, o.timeZone)}`);
        },
      },
      {
        keys: 'o',
        description: 'Mark out (end of an export)',
        run: () => {
          const at = t();
          setMarks((m) => ({ in: m.in !== null && m.in < at ? m.in : null, out: at }));
          o.say(`Out ${formatClock(at, o.timeZone)}`);
        },
      },
      { keys: 'shift+x', description: 'Clear the in and out marks', run: () => setMarks({ in: null, out: null }) },
      {
        keys: 'shift+e',
        description: 'Export: the marked range, else the event or moment under the playhead with its pre/post-roll',
        enabled: supervisor,
        run: () => {
          if (!shown.length) {
            o.say('Choose the cameras to export first (C)');
            return;
          }
          const r = exportRange({ marks, at: t(), events: o.events, shown, preMs: roll.pre * 1000, postMs: roll.post * 1000 });
          const label = r.what === 'event' ? r.event!.label : r.what === 'marks' ? 'marked range' : `moment at ${formatClock(t(), o.timeZone)}`;
          setOpen({
            cameraIds: r.cameraIds,
            from: r.from,
            to: Math.min(r.to, Date.now() + 9 * 60_000),
            source: { kind: r.what === 'event' ? 'event' : 'playback', ...(r.event?.id ? { id: r.event.id } : {}) },
            title: `Export the ${label}`,
            reason: '',
            caseName: r.what === 'event' ? r.event!.label : '',
          });
        },
      },
    ],
    { active: o.active && !open },
  );

  const bar =
    marks.in !== null || marks.out !== null ? (
      <div className="pb-marks" data-testid="pb-marks" data-in={marks.in ?? ''} data-out={marks.out ?? ''}>
        <span>
          In <b>{marks.in !== null ? formatClock(marks.in, o.timeZone) : '–'}</b>
        </span>
        <span>
          Out <b>{marks.out !== null ? formatClock(marks.out, o.timeZone) : '–'}</b>
        </span>
        {marks.in !== null && marks.out !== null && <span>{formatDurationMs(Math.abs(marks.out - marks.in), 'precise')}</span>}
        <span>{supervisor ? 'Shift+E export · Shift+X clear' : 'Shift+X clear · exports need a supervisor'}</span>
      </div>
    ) : null;
  const dialog = open ? <ExportDialog selection={open} onClose={() => setOpen(null)} /> : null;
  return { marks, bar, dialog };
}
