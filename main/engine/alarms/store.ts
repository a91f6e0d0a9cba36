/**
 * Alarm rows in SQLite: insert, coalesce, transitions, history pages with
 * keyset cursors (store/keyset.ts). Every write is one transaction, committed before the
 * caller tells anyone (persist before you show).
 */
import type { Alarm, AlarmEntry, AlarmEntryKind, AlarmState, AlarmType, HistoryFilter, Page, Priority } from '../../api/alarms.js';
import { ApiError } from '../../api/contract.js';
import { mediaFor, type MediaWindow } from '../recording/media-links.js';
import type { Db } from '../store/db.js';
import { parseJson } from '../store/json.js';
import { KeysetPager } from '../store/keyset.js';

export interface AlarmRow {
  id: number;
  type: string;
  title: string;
  priority: number;
  state: string;
  source: string;
  source_key: string;
  camera_ids: string;
  zone: string | null;
  rule_id: string | null;
  created_ms: number;
  updated_ms: number;
  last_ms: number;
  count: number;
  ack_due_ms: number | null;
  escalation: number;
  claimed_by: string | null;
  resolved_ms: number | null;
  closed_ms: number | null;
  close_reason: string | null;
  sop: string;
  details: string;
}

interface EntryRow {
  id: number;
  alarm_id: number;
  kind: string;
  action: string | null;
  from_state: string | null;
  to_state: string | null;
  username: string;
  time_ms: number;
  comment: string | null;
}

export interface NewAlarm {
  type: AlarmType;
  title: string;
  priority: Priority;
  source: string;
  sourceKey: string;
  cameraIds: string[];
  zone: string | null;
  ruleId: string | null;
  time: number;
  ackDueMs: number | null;
  sop: string;
  details: Record<string, unknown>;
  /** Who raised it ("system" for sources, the user for panic). */
  user: string;
  comment?: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toAlarm(r: AlarmRow, w: MediaWindow): Alarm {
  const cameraIds = parseJson<string[]>(r.camera_ids, []);
  return {
    id: r.id,
    type: r.type as AlarmType,
    title: r.title,
    priority: r.priority as Priority,
    state: r.state as AlarmState,
    source: r.source,
    sourceKey: r.source_key,
    cameraIds,
    zone: r.zone,
    ruleId: r.rule_id,
    createdAt: iso(r.created_ms)!,
    updatedAt: iso(r.updated_ms)!,
    lastAt: iso(r.last_ms)!,
    count: r.count,
    ackDueAt: iso(r.ack_due_ms),
    escalation: r.escalation,
    claimedBy: r.claimed_by,
    resolvedAt: iso(r.resolved_ms),
    closedAt: iso(r.closed_ms),
    closeReason: r.close_reason,
    sop: r.sop,
    media: mediaFor(cameraIds, r.created_ms, w),
    details: parseJson<Record<string, unknown>>(r.details, {}),
  };
}

function toEntry(r: EntryRow): AlarmEntry {
  return {
    id: r.id,
    alarmId: r.alarm_id,
    kind: r.kind as AlarmEntryKind,
    action: r.action as AlarmEntry['action'],
    from: r.from_state as AlarmState | null,
    to: r.to_state as AlarmState | null,
    user: r.username,
    time: iso(r.time_ms)!,
    comment: r.comment,
  };
}

export interface EntryInput {
  kind: AlarmEntryKind;
  action?: string | null;
  from?: AlarmState | null;
  to?: AlarmState | null;
  user: string;
  time: number;
  comment?: string | null;
}

export class AlarmStore {
  private q;
  private pager: KeysetPager;

  constructor(
    readonly db: Db,
    private readonly media: () => MediaWindow,
  ) {
    this.pager = new KeysetPager(db);
    this.q = {
      insert: db.prepare(
        `INSERT INTO alarms (type, title, priority, state, source, source_key, camera_ids, zone, rule_id, created_ms, updated_ms, last_ms, count, ack_due_ms, sop, details)
         VALUES (@type, @title, @priority, 'new', @source, @sourceKey, @cameraIds, @zone, @ruleId, @time, @time, @time, 1, @ackDueMs, @sop, @details)`,
      ),
      insertCam: db.prepare('INSERT OR IGNORE INTO alarm_cameras (camera_id, created_ms, alarm_id) VALUES (?, ?, ?)'),
      insertEntry: db.prepare(
        'INSERT INTO alarm_entries (alarm_id, kind, action, from_state, to_state, username, time_ms, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertUser: db.prepare('INSERT OR IGNORE INTO alarm_users (username, created_ms, alarm_id) SELECT ?, created_ms, id FROM alarms WHERE id = ?'),
      get: db.prepare('SELECT * FROM alarms WHERE id = ?'),
      openBySource: db.prepare(`SELECT * FROM alarms WHERE source_key = ? AND state <> 'closed' ORDER BY last_ms DESC LIMIT 1`),
      bump: db.prepare('UPDATE alarms SET count = count + ?, last_ms = max(last_ms, ?), updated_ms = ?, resolved_ms = NULL WHERE id = ?'),
      open: db.prepare(`SELECT * FROM alarms WHERE state IN ('new','acknowledged','in_progress','on_hold') ORDER BY priority ASC, created_ms ASC, id ASC`),
      entries: db.prepare('SELECT * FROM alarm_entries WHERE alarm_id = ? ORDER BY id ASC'),
      due: db.prepare(`SELECT * FROM alarms WHERE ack_due_ms IS NOT NULL AND ack_due_ms <= ? AND state = 'new' ORDER BY ack_due_ms LIMIT 100`),
      nextDue: db.prepare(`SELECT min(ack_due_ms) AS t FROM alarms WHERE ack_due_ms IS NOT NULL AND state = 'new'`),
    };
  }

  get(id: number): Alarm | null {
    const r = this.q.get.get(id) as AlarmRow | undefined;
    return r ? toAlarm(r, this.media()) : null;
  }

  mustGet(id: number): Alarm {
    const a = this.get(id);
    if (!a) throw new ApiError('not_found', `no alarm #${id}`);
    return a;
  }

  /** The open alarm of a source whose last repeat is at or after `sinceMs`, if any. */
  openForSource(sourceKey: string, sinceMs: number): Alarm | null {
    const r = this.q.openBySource.get(sourceKey) as AlarmRow | undefined;
    if (!r || r.last_ms < sinceMs) return null;
    return toAlarm(r, this.media());
  }

  /** Any open alarm of a source (to resolve it when the source clears). */
  openAnyForSource(sourceKey: string): Alarm | null {
    const r = this.q.openBySource.get(sourceKey) as AlarmRow | undefined;
    return r ? toAlarm(r, this.media()) : null;
  }

  insert(a: NewAlarm): { alarm: Alarm; entry: AlarmEntry } {
    return this.db.transaction(() => {
      const info = this.q.insert.run({
        type: a.type,
        title: a.title,
        priority: a.priority,
        source: a.source,
        sourceKey: a.sourceKey,
        cameraIds: JSON.stringify(a.cameraIds),
        zone: a.zone,
        ruleId: a.ruleId,
        time: a.time,
        ackDueMs: a.ackDueMs,
        sop: a.sop,
        details: JSON.stringify(a.details),
      });
      const id = Number(info.lastInsertRowid);
      for (const c of a.cameraIds) this.q.insertCam.run(c, a.time, id);
      const entry = this.addEntry(id, { kind: 'raised', to: 'new', user: a.user, time: a.time, comment: a.comment ?? null });
      return { alarm: this.mustGet(id), entry };
    })();
  }

  /** Count repeats into an open alarm. */
  bump(id: number, n: number, lastMs: number): Alarm {
    this.q.bump.run(n, lastMs, Date.now(), id);
    return this.mustGet(id);
  }

  addEntry(alarmId: number, e: EntryInput): AlarmEntry {
    const info = this.q.insertEntry.run(alarmId, e.kind, e.action ?? null, e.from ?? null, e.to ?? null, e.user, e.time, e.comment ?? null);
    if (e.user !== 'system') this.q.insertUser.run(e.user, alarmId);
    return toEntry({
      id: Number(info.lastInsertRowid),
      alarm_id: alarmId,
      kind: e.kind,
      action: e.action ?? null,
      from_state: e.from ?? null,
      to_state: e.to ?? null,
      username: e.user,
      time_ms: e.time,
      comment: e.comment ?? null,
    });
  }

  /**
   * Change columns of one alarm and add its history entry, in one transaction.
   * `expect` guards against a concurrent change (another console acted first).
   */
  update(
    id: number,
    set: Partial<Pick<AlarmRow, 'state' | 'ack_due_ms' | 'escalation' | 'claimed_by' | 'resolved_ms' | 'closed_ms' | 'close_reason' | 'priority'>>,
    entry: EntryInput | null,
    expect?: { state?: AlarmState },
  ): { alarm: Alarm; entry: AlarmEntry | null } {
    return this.db.transaction(() => {
      const cur = this.q.get.get(id) as AlarmRow | undefined;
      if (!cur) throw new ApiError('not_found', `no alarm #${id}`);
      if (expect?.state && cur.state !== expect.state) {
        throw new ApiError('conflict', `alarm #${id} changed meanwhile (it is now ${cur.state.replace('_', ' ')}); look again and retry`);
      }
      const cols = Object.keys(set) as (keyof typeof set)[];
      if (cols.length) {
        const sql = `UPDATE alarms SET ${cols.map((c) => `${c} = @${c}`).join(', ')}, updated_ms = @now WHERE id = @id`;
        this.db.prepare(sql).run({ ...set, now: entry?.time ?? Date.now(), id });
      }
      const e = entry ? this.addEntry(id, entry) : null;
      return { alarm: this.mustGet(id), entry: e };
    })();
  }

  queue(): Alarm[] {
    const w = this.media();
    return (this.q.open.all() as AlarmRow[]).map((r) => toAlarm(r, w));
  }

  entries(id: number): AlarmEntry[] {
    return (this.q.entries.all(id) as EntryRow[]).map(toEntry);
  }

  /** Unacknowledged alarms whose escalation time has come. */
  due(nowMs: number): Alarm[] {
    const w = this.media();
    return (this.q.due.all(nowMs) as AlarmRow[]).map((r) => toAlarm(r, w));
  }

  nextDueMs(): number | null {
    return (this.q.nextDue.get() as { t: number | null }).t;
  }

  /**
   * A page of history, newest first. Keyset paging over (created_ms, id)
   * so page N costs the same as page 1, on indexes that lead with the
   * filtered column followed by created_ms.
   */
  history(f: HistoryFilter, cursor: string | null | undefined, limit: number): Page<Alarm> {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    // Drive the scan from the most selective ordered index: (camera, time, alarm) or
    // (user, time, alarm) when filtered by one, else the alarms' own (x, created_ms) indexes.
    let from = 'alarms a';
    let t = 'a.created_ms';
    let idc = 'a.id';
    if (f.cameraId) {
      from = 'alarm_cameras c JOIN alarms a ON a.id = c.alarm_id';
      where.push('c.camera_id = @cameraId');
      args.cameraId = f.cameraId;
      [t, idc] = ['c.created_ms', 'c.alarm_id'];
    } else if (f.user) {
      from = 'alarm_users u JOIN alarms a ON a.id = u.alarm_id';
      where.push('u.username = @user');
      [t, idc] = ['u.created_ms', 'u.alarm_id'];
    }
    if (f.user) args.user = f.user;
    if (f.from) {
      where.push(`${t} >= @fromMs`);
      args.fromMs = Date.parse(f.from);
    }
    if (f.to) {
      where.push(`${t} < @toMs`);
      args.toMs = Date.parse(f.to);
    }
    if (f.type) {
      where.push('a.type = @type');
      args.type = f.type;
    }
    if (f.state === 'open') where.push(`a.state IN ('new','acknowledged','in_progress','on_hold')`);
    else if (f.state) {
      where.push('a.state = @state');
      args.state = f.state;
    }
    if (f.priority) {
      where.push('a.priority = @priority');
      args.priority = f.priority;
    }
    if (f.user && f.cameraId) where.push('EXISTS (SELECT 1 FROM alarm_users x WHERE x.username = @user AND x.created_ms = a.created_ms AND x.alarm_id = a.id)');
    if (f.text) {
      where.push(`(a.title LIKE @text ESCAPE '\\' OR a.source LIKE @text ESCAPE '\\')`);
      args.text = `%${f.text.replace(/[\\%_]/g, (m) => '\\' + m)}%`;
    }
    const { rows, nextCursor } = this.pager.page<AlarmRow>(
      { select: `SELECT a.* FROM ${from}`, where, args, time: t, id: idc },
      cursor,
      limit,
      (r) => ({ ms: r.created_ms, id: r.id }),
    );
    const w = this.media();
    return { items: rows.map((r) => toAlarm(r, w)), nextCursor };
  }
}
