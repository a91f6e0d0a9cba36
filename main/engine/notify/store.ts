/**
 * The notify tables in SQLite (migration "notify"): push subscriptions (the
 * endpoint and keys sealed with the SecretBox), notices and their outcome,
 * how far each alarm climbed its ladder. The ack tokens are in ack-tokens.ts.
 */
import crypto from 'node:crypto';
import type { Priority } from '../../api/alarms.js';
import { ApiError } from '../../api/contract.js';
import type { Channel, Notice, NoticeKind, NoticeState, PushSubscriptionInfo } from '../../api/notify.js';
import type { SecretBox } from '../config/secrets.js';
import type { Db } from '../store/db.js';
import { parseJson } from '../store/json.js';
import { KeysetPager } from '../store/keyset.js';

interface SubRow {
  id: number;
  username: string;
  endpoint_hash: string;
  sealed: string;
  service: string;
  label: string;
  priorities: string;
  camera_ids: string | null;
  created_ms: number;
  last_ok_ms: number | null;
  last_error: string | null;
  failures: number;
}

interface NoticeRow {
  id: number;
  alarm_id: number | null;
  contact_id: string | null;
  recipient: string;
  channel: string;
  target: string;
  level: number;
  kind: string;
  state: string;
  attempts: number;
  last_error: string | null;
  created_ms: number;
  updated_ms: number;
  next_ms: number | null;
}

/** A subscription with its secrets opened, for sending. */
export interface PushTarget {
  info: PushSubscriptionInfo;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
export const endpointHash = (endpoint: string) => crypto.createHash('sha256').update(endpoint).digest('hex');

function toSub(r: SubRow): PushSubscriptionInfo {
  return {
    id: r.id,
    username: r.username,
    label: r.label,
    service: r.service,
    priorities: parseJson<Priority[]>(r.priorities, []),
    cameraIds: r.camera_ids === null ? null : parseJson<string[]>(r.camera_ids, []),
    createdAt: iso(r.created_ms)!,
    lastOkAt: iso(r.last_ok_ms),
    lastError: r.last_error,
    failures: r.failures,
  };
}

function toNotice(r: NoticeRow): Notice {
  return {
    id: r.id,
    alarmId: r.alarm_id,
    contactId: r.contact_id,
    recipient: r.recipient,
    channel: r.channel as Channel,
    target: r.target,
    level: r.level,
    kind: r.kind as NoticeKind,
    state: r.state as NoticeState,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: iso(r.created_ms)!,
    updatedAt: iso(r.updated_ms)!,
    nextAt: iso(r.next_ms),
  };
}

export interface NewNotice {
  alarmId: number | null;
  contactId: string | null;
  recipient: string;
  channel: Channel;
  target: string;
  level: number;
  kind: NoticeKind;
}

export class NotifyStore {
  private pager: KeysetPager;
  constructor(
    readonly db: Db,
    private readonly secrets: SecretBox,
  ) {
    this.pager = new KeysetPager(db);
  }

  // ───────────── push subscriptions ─────────────

  /** Add or replace (same endpoint: the browser subscribed again) a subscription. */
  addSubscription(s: {
    username: string;
    endpoint: string;
    keys: { p256dh: string; auth: string };
    label: string;
    priorities: Priority[];
    cameraIds: string[] | null;
    now: number;
  }): PushSubscriptionInfo {
    const hash = endpointHash(s.endpoint);
    const sealed = this.secrets.seal(JSON.stringify({ endpoint: s.endpoint, p256dh: s.keys.p256dh, auth: s.keys.auth }));
    const service = new URL(s.endpoint).origin;
    this.db
      .prepare(
        `INSERT INTO push_subscriptions (username, endpoint_hash, sealed, service, label, priorities, camera_ids, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(endpoint_hash) DO UPDATE SET username = excluded.username, sealed = excluded.sealed, label = excluded.label,
           priorities = excluded.priorities, camera_ids = excluded.camera_ids, failures = 0, last_error = NULL`,
      )
      .run(
        s.username,
        hash,
        sealed,
        service,
        s.label,
        JSON.stringify(s.priorities),
        s.cameraIds ? JSON.stringify(s.cameraIds) : null,
        s.now,
      );
    return toSub(this.db.prepare('SELECT * FROM push_subscriptions WHERE endpoint_hash = ?').get(hash) as SubRow);
  }

  subscription(id: number): PushSubscriptionInfo | null {
    const r = this.db.prepare('SELECT * FROM push_subscriptions WHERE id = ?').get(id) as SubRow | undefined;
    return r ? toSub(r) : null;
  }

  mustSubscription(id: number): PushSubscriptionInfo {
    const s = this.subscription(id);
    if (!s) throw new ApiError('not_found', `no push subscription #${id}; it may have been removed (see Settings → Notifications)`);
    return s;
  }

  subscriptions(username?: string): PushSubscriptionInfo[] {
    const rows = (
      username === undefined
        ? this.db.prepare('SELECT * FROM push_subscriptions ORDER BY username, id').all()
        : this.db.prepare('SELECT * FROM push_subscriptions WHERE username = ? ORDER BY id').all(username)
    ) as SubRow[];
    return rows.map(toSub);
  }

  /** Subscriptions with their endpoint and keys, for sending. One that no longer opens (another key) is skipped. */
  targets(username?: string): PushTarget[] {
    const rows = (
      username === undefined
        ? this.db.prepare('SELECT * FROM push_subscriptions ORDER BY id').all()
        : this.db.prepare('SELECT * FROM push_subscriptions WHERE username = ? ORDER BY id').all(username)
    ) as SubRow[];
    const out: PushTarget[] = [];
    for (const r of rows) {
      const t = this.open(r);
      if (t) out.push(t);
    }
    return out;
  }

  target(id: number): PushTarget | null {
    const r = this.db.prepare('SELECT * FROM push_subscriptions WHERE id = ?').get(id) as SubRow | undefined;
    return r ? this.open(r) : null;
  }

  private open(r: SubRow): PushTarget | null {
    try {
      const v = JSON.parse(this.secrets.open(r.sealed)) as { endpoint: string; p256dh: string; auth: string };
      return { info: toSub(r), endpoint: v.endpoint, keys: { p256dh: v.p256dh, auth: v.auth } };
    } catch {
      return null;
    }
  }

  updateSubscription(id: number, patch: { label?: string; priorities?: Priority[]; cameraIds?: string[] | null }): PushSubscriptionInfo {
    const cur = this.mustSubscription(id);
    this.db
      .prepare('UPDATE push_subscriptions SET label = ?, priorities = ?, camera_ids = ? WHERE id = ?')
      .run(
        patch.label ?? cur.label,
        JSON.stringify(patch.priorities ?? cur.priorities),
        (patch.cameraIds !== undefined ? patch.cameraIds : cur.cameraIds)
          ? JSON.stringify(patch.cameraIds !== undefined ? patch.cameraIds : cur.cameraIds)
          : null,
        id,
      );
    return this.mustSubscription(id);
  }

  removeSubscription(id: number): boolean {
    return this.db.prepare('DELETE FROM push_subscriptions WHERE id = ?').run(id).changes > 0;
  }

  subscriptionOk(id: number, now: number): void {
    this.db.prepare('UPDATE push_subscriptions SET last_ok_ms = ?, last_error = NULL, failures = 0 WHERE id = ?').run(now, id);
  }

  subscriptionFailed(id: number, error: string): void {
    this.db.prepare('UPDATE push_subscriptions SET last_error = ?, failures = failures + 1 WHERE id = ?').run(error.slice(0, 500), id);
  }

  // ───────────── notices ─────────────

  addNotice(n: NewNotice, now: number): Notice {
    const info = this.db
      .prepare(
        `INSERT INTO notices (alarm_id, contact_id, recipient, channel, target, level, kind, state, attempts, created_ms, updated_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'sending', 0, ?, ?)`,
      )
      .run(n.alarmId, n.contactId, n.recipient, n.channel, n.target, n.level, n.kind, now, now);
    return this.notice(Number(info.lastInsertRowid))!;
  }

  notice(id: number): Notice | null {
    const r = this.db.prepare('SELECT * FROM notices WHERE id = ?').get(id) as NoticeRow | undefined;
    return r ? toNotice(r) : null;
  }

  setNotice(
    id: number,
    set: { state: NoticeState; attempts: number; lastError?: string | null; nextMs?: number | null },
    now: number,
  ): Notice {
    this.db
      .prepare('UPDATE notices SET state = ?, attempts = ?, last_error = ?, next_ms = ?, updated_ms = ? WHERE id = ?')
      .run(set.state, set.attempts, set.lastError?.slice(0, 1000) ?? null, set.nextMs ?? null, now, id);
    return this.notice(id)!;
  }

  /** Notices still in flight (sending, retrying): at start, those of a previous run. */
  unfinished(): Notice[] {
    return (this.db.prepare(`SELECT * FROM notices WHERE state IN ('sending', 'retrying') ORDER BY id`).all() as NoticeRow[]).map(toNotice);
  }

  history(alarmId: number | undefined, cursor: string | null | undefined, limit: number): { items: Notice[]; nextCursor: string | null } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (alarmId !== undefined) {
      where.push('alarm_id = @alarmId');
      args.alarmId = alarmId;
    }
    const { rows, nextCursor } = this.pager.page<NoticeRow>(
      { select: 'SELECT * FROM notices', where, args, time: alarmId !== undefined ? null : 'created_ms', id: 'id' },
      cursor,
      limit,
      (r) => ({ ms: alarmId !== undefined ? 0 : r.created_ms, id: r.id }),
    );
    return { items: rows.map(toNotice), nextCursor };
  }

  // ───────────── ladder ─────────────

  ladderLevel(alarmId: number): number {
    const r = this.db.prepare('SELECT level FROM notify_ladder WHERE alarm_id = ?').get(alarmId) as { level: number } | undefined;
    return r?.level ?? 1;
  }

  /** All ladder rows of the given alarms (one query per tick). */
  ladderLevels(alarmIds: number[]): Map<number, number> {
    const m = new Map<number, number>();
    if (!alarmIds.length) return m;
    const rows = this.db
      .prepare(`SELECT alarm_id, level FROM notify_ladder WHERE alarm_id IN (${alarmIds.map(() => '?').join(',')})`)
      .all(...alarmIds) as { alarm_id: number; level: number }[];
    for (const r of rows) m.set(r.alarm_id, r.level);
    return m;
  }

  setLadderLevel(alarmId: number, level: number, now: number): void {
    this.db
      .prepare(
        'INSERT INTO notify_ladder (alarm_id, level, updated_ms) VALUES (?, ?, ?) ON CONFLICT(alarm_id) DO UPDATE SET level = max(level, excluded.level), updated_ms = excluded.updated_ms',
      )
      .run(alarmId, level, now);
  }
}
