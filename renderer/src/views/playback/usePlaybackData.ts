import { useEffect, useRef, useState } from 'react';
import { useClient, useEvent, useReconnect } from '../../api/context.js';
import { mapUrl, type MapSegment, type SegmentMap } from '../../media/media-urls.js';
import { DAY, HOUR } from '../../time/index.js';
import { mergeRuns, toGaps, type RecordedRun, type TimelineEvent, type TimelineGap } from './timeline-math/runs.js';
import type { View } from './timeline-math/zoom.js';
import { storedEventMarkers } from './event-markers.js';

export interface CameraRecordings {
  segments: MapSegment[];
  runs: RecordedRun[];
  gaps: TimelineGap[];
  events: TimelineEvent[];
  /** Footage held by evidence locks (segments flagged locked), merged. */
  locked?: RecordedRun[];
  /** Media origin the segment URLs are retimed to. */
  origin: number;
  /** Range the data covers (ms). */
  from: number;
  to: number;
  error: string | null;
}

/** Most data asked for in one go: the timeline shows what is inside it. */
const MAX_WINDOW = 2 * DAY;

/** The window to load for a view: the view plus half a span on each side, at most two days, around its middle. */
export function loadWindow(v: View, now: number): { from: number; to: number } {
  const mid = v.start + v.span / 2;
  const half = Math.min(MAX_WINDOW / 2, v.span);
  let from = mid - half;
  let to = mid + half;
  // Quantise so small pans don't refetch: to the hour for wide windows, to 5 min for narrow.
  const q = half > 6 * HOUR ? HOUR : 5 * 60_000;
  from = Math.floor(from / q) * q;
  to = Math.min(Math.ceil(to / q) * q, Math.ceil((now + 60_000) / q) * q);
  return { from, to: Math.max(to, from + q) };
}

async function fetchMap(url: string): Promise<SegmentMap> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'same-origin' });
  } catch {
    throw new Error('cannot reach the server for the recordings; retrying when the connection is back');
  }
  if (!res.ok) {
    let msg = `the server answered ${res.status}`;
    try {
      msg = ((await res.json()) as { error?: { message?: string } }).error?.message ?? msg;
    } catch {
      /* not JSON */
    }
    throw new Error(msg);
  }
  return (await res.json()) as SegmentMap;
}

/**
 * Segments (from the recorder's segment map for MSE), gaps and events of
 * each camera around the view, kept fresh: reloaded when the window moves,
 * when a segment or gap of one of these cameras is recorded, and after a
 * reconnect. `origin` is the wall time of media time 0 in the players.
 */
export function usePlaybackData(cameraIds: string[], view: View, origin: number): Record<string, CameraRecordings> {
  const client = useClient();
  const [data, setData] = useState<Record<string, CameraRecordings>>({});
  const win = loadWindow(view, Date.now());
  const key = `${cameraIds.join(',')}|${win.from}|${win.to}|${origin}`;
  const [bump, setBump] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const ids = useRef(cameraIds);
  ids.current = cameraIds;

  useEffect(() => {
    let cancelled = false;
    const from = new Date(win.from).toISOString();
    const to = new Date(win.to).toISOString();
    for (const id of cameraIds) {
      const rec = fetchMap(mapUrl(id, win.from, win.to, origin));
      const ev = client
        .call('events.list', { cameraId: id, from, to, limit: 2000 })
        .then((r) => r.events)
        .catch(() => []); // no events is fine
      // Alarms, panics, sensor messages and bookmarks of this camera.
      const mk = client
        .call('timeline.markers', { cameraId: id, from, to, limit: 2000 })
        .then((r) => r.markers)
        .catch(() => []);
      Promise.all([rec, ev, mk]).then(
        ([r, events, markers]) => {
          if (cancelled) return;
          setData((d) => ({
            ...d,
            [id]: {
              segments: r.segments,
              runs: mergeRuns(r.segments),
              locked: mergeRuns(r.segments.filter((s) => s.locked)),
              gaps: toGaps(r.gaps.map((g) => ({ ...g, end: g.open ? new Date().toISOString() : g.end }))),
              events: events.flatMap(storedEventMarkers).concat(
                markers.map((m) => ({
                  time: Date.parse(m.time),
                  kind: m.kind,
                  label: m.label,
                  ...(m.end ? { end: Date.parse(m.end) } : {}),
                  cameraId: id,
                  id: m.id,
                  ...(m.priority ? { priority: m.priority } : {}),
                })),
              ),
              origin: r.originMs,
              from: win.from,
              to: win.to,
              error: null,
            },
          }));
        },
        (err: Error) => {
          if (cancelled) return;
          setData((d) => ({
            ...d,
            [id]: {
              ...(d[id] ?? { segments: [], runs: [], gaps: [], events: [], origin, from: win.from, to: win.to }),
              error: err.message,
            },
          }));
        },
      );
    }
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, key, bump]);

  const refresh = () => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      setBump((b) => b + 1);
    }, 1500);
  };
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );
  useEvent('recording.segment', (e) => {
    if (ids.current.includes(e.cameraId) && Date.parse(e.end) >= win.from && Date.parse(e.start) <= win.to + 60_000) refresh();
  });
  useEvent('recording.gap', (e) => {
    if (ids.current.includes(e.cameraId)) refresh();
  });
  useEvent('alarm.raised', (a) => {
    if (a.cameraIds.some((c) => ids.current.includes(c))) refresh();
  });
  useEvent('bookmarks.changed', (e) => {
    if (e.bookmark.cameraIds.some((c) => ids.current.includes(c))) refresh();
  });
  // a face matched on a track is written into its object event (data.face): the marker follows
  useEvent('faces.match', (e) => {
    if (ids.current.includes(e.cameraId) && e.eventId !== null) refresh();
  });
  useEvent('evidence.changed', (e) => {
    if (e.cameraIds.some((c) => ids.current.includes(c))) refresh();
  });
  useReconnect(() => setBump((b) => b + 1));
  return data;
}
