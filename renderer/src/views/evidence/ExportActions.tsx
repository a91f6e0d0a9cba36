/**
 * "Export this" from an alarm and from an access-log row: the cameras linked
 * to it, with its pre- and post-roll (the engine's media window: the same
 * range the alarm's replay shows), in one key (Shift+E on an alarm) or one
 * button. Exports need a supervisor; for guards nothing is shown.
 */
import { useState } from 'react';
import type { Alarm, AlarmMedia } from '../../../../main/api/alarms.js';
import { roleRank } from '../../../../main/api/contract.js';
import { useConnection } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { ExportDialog, type ExportSelection } from './ExportDialog.js';

/** The export selection of something with media windows (an alarm, an access-log row). */
export function selectionOf(media: AlarmMedia[], o: Omit<ExportSelection, 'cameraIds' | 'from' | 'to'>): ExportSelection | null {
  if (!media.length) return null;
  return {
    ...o,
    cameraIds: [...new Set(media.map((m) => m.cameraId))],
    from: Math.min(...media.map((m) => Date.parse(m.from))),
    to: Math.max(...media.map((m) => Date.parse(m.to))),
  };
}

function useSupervisor(): boolean {
  return roleRank[useConnection().user?.role ?? 'guard'] >= roleRank.supervisor;
}

/** The alarm's export button, and Shift+E while the alarm is shown. */
export function AlarmExportAction({ alarm, active = true }: { alarm: Alarm; active?: boolean }) {
  const supervisor = useSupervisor();
  const [open, setOpen] = useState(false);
  const sel = selectionOf(alarm.media, {
    source: { kind: 'alarm', id: String(alarm.id) },
    title: `Export alarm #${alarm.id}: ${alarm.title}`,
    reason: `Alarm #${alarm.id}: ${alarm.title}`,
    caseName: `Alarm #${alarm.id}: ${alarm.title}`.slice(0, 120),
  });
  useShortcuts(
    'Alarm export',
    [{ keys: 'shift+e', description: "Export this alarm's cameras with its pre/post-roll", enabled: supervisor && !!sel, run: () => setOpen(true) }],
    { active: active && !open },
  );
  if (!supervisor) return null;
  return (
    <>
      <button
        type="button"
        className="btn small"
        disabled={!sel}
        title={sel ? 'Export the cameras of this alarm with its pre- and post-roll (Shift+E)' : 'No camera is linked to this alarm'}
        onClick={() => setOpen(true)}
        data-testid="alarm-export"
      >
        Export (Shift+E)
      </button>
      {open && sel && <ExportDialog selection={sel} onClose={() => setOpen(false)} />}
    </>
  );
}

/** An access-log row's export button. */
export function AccessExportButton({ entry }: { entry: { id: number; door: string; badge: string; time: string; media: AlarmMedia[] } }) {
  const supervisor = useSupervisor();
  const [open, setOpen] = useState(false);
  const sel = selectionOf(entry.media, {
    source: { kind: 'access', id: String(entry.id) },
    title: `Export badge ${entry.badge} at ${entry.door}`,
    reason: `Access log: badge ${entry.badge} at ${entry.door}`,
    caseName: `Badge ${entry.badge} at ${entry.door}`.slice(0, 120),
  });
  if (!supervisor || !sel) return null;
  return (
    <>
      <button type="button" className="btn small" onClick={() => setOpen(true)} title="Export the door cameras with the pre- and post-roll" data-testid="access-export">
        Export
      </button>
      {open && <ExportDialog selection={sel} onClose={() => setOpen(false)} />}
    </>
  );
}
