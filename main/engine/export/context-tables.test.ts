import { describe, expect, it } from 'vitest';
import { AlarmSetup } from '../../api/alarms.js';
import { BookmarkStore } from '../bookmarks/store.js';
import { CaseStore } from '../cases/store.js';
import { openIndex } from '../store/db.js';
import { contextTables } from './context-tables.js';

const T0 = Date.parse('2026-11-26T02:00:00Z');

describe('export context tables', () => {
  it('carry the bookmarks of the cameras in the range, and the bookmarks the case collected, as a table and markers', () => {
    const db = openIndex(':memory:');
    const marks = new BookmarkStore(db);
    const inside = marks.insert({ timeMs: T0 + 60_000, cameraIds: ['gate'], note: 'van stops at the gate', author: 'gina', now: T0 + 61_000 });
    const other = marks.insert({ timeMs: T0 + 90_000, cameraIds: ['yard'], note: 'not exported', author: 'gina', now: T0 + 91_000 });
    const earlier = marks.insert({ timeMs: T0 - 3_600_000, cameraIds: ['gate'], note: 'same van an hour before', author: 'gus', now: T0 });
    const cases = new CaseStore(db);
    const c = cases.create({ name: 'Gate van' }, 'sam', T0);
    cases.addItem({ caseId: c.id, kind: 'bookmark', ref: String(earlier.id) }, 'sam', T0);
    cases.addItem({ caseId: c.id, kind: 'bookmark', ref: String(inside.id) }, 'sam', T0);

    const ctx = contextTables({ db, cameraIds: ['gate'], fromMs: T0, toMs: T0 + 300_000, setup: () => AlarmSetup.parse({}), caseId: c.id });
    const table = ctx.tables.find((t) => t.name === 'bookmarks')!;
    expect(table.rows.map((r) => [r.id, r.note, r.inRange, r.inCase])).toEqual([
      [earlier.id, 'same van an hour before', false, true],
      [inside.id, 'van stops at the gate', true, true],
    ]);
    expect(table.rows.some((r) => r.id === other.id)).toBe(false);
    // only the bookmark inside the exported range is a marker on the player's timeline
    expect(ctx.markers.filter((m) => m.kind === 'bookmark')).toEqual([{ time: inside.time, kind: 'bookmark', label: 'Bookmark by gina: van stops at the gate', cameraId: 'gate' }]);
    db.close();
  });
});
