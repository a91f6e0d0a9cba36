// Index size: bytes of the SQLite index per camera-hour recorded.

import { figure } from '../lib/report.mjs';

// Since index migration 6 the segment rows live in `seg` (with small lookup
// tables); `segments` is a view over them. Older indexes have the table.
const SEGMENT_TABLES = ['seg', 'segments', 'rec_cameras', 'rec_runs', 'rec_params'];
const RECORDING_TABLES = [...SEGMENT_TABLES, 'gaps'];

export default {
  name: 'index',
  order: 30,
  title: 'Index size per camera-hour',
  description: 'bytes of index.sqlite (+ -wal) over camera-hours recorded; and the segments/gaps tables alone',
  async run(ctx) {
    const eng = await ctx.engineRun();
    const recorded = eng.perCamera.filter((c) => !c.error).reduce((s, c) => s + c.recordedSeconds, 0);
    const camHours = recorded / 3600;
    const { live, after, maxSeen, breakdown } = eng.index;
    const lines = [`${camHours.toFixed(3)} camera-hours recorded in this run (${eng.cameras} cameras)`];
    lines.push(
      `index.sqlite: ${after.main} B after a clean stop (-wal ${after.wal} B); while running ${live.main} B + -wal ${live.wal} B; largest seen ${maxSeen} B`,
    );
    const figures = [];
    if (camHours > 0) {
      figures.push(
        figure(
          'whole index file / camera-hour',
          after.total / camHours,
          'B',
          undefined,
          'includes the fixed cost of an empty index (schema, users, settings), which dominates short runs',
        ),
      );
    }
    if (breakdown) {
      const recBytes = RECORDING_TABLES.reduce((s, t) => s + (breakdown.perTable[t] ?? 0), 0);
      const rows = breakdown.rows.segments ?? 0;
      const top = Object.entries(breakdown.perTable)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([t, b]) => `${t} ${b} B`)
        .join(', ');
      lines.push(`pages per table (with its indexes): ${top}`);
      lines.push(`${rows} segment rows, ${breakdown.rows.gaps ?? 0} gap rows; ${rows && camHours ? (rows / camHours).toFixed(0) : 'n/a'} segments per camera-hour`);
      if (camHours > 0) {
        figures.push(
          figure(
            'segments+gaps tables / camera-hour',
            recBytes / camHours,
            'B',
            { op: '<=', value: 8 * 1024 },
            'what grows with recording time: pages of the segments and gaps tables and their indexes (page granularity: short runs overstate it)',
          ),
        );
        if (rows) {
          const segBytes = SEGMENT_TABLES.reduce((s, t) => s + (breakdown.perTable[t] ?? 0), 0);
          figures.push(figure('bytes per segment row (incl. indexes and lookup tables)', segBytes / rows, 'B'));
        }
      }
    } else {
      lines.push('(no per-table breakdown: the index could not be opened with better-sqlite3)');
    }
    return { lines, figures, details: { camHours, index: eng.index } };
  },
};
