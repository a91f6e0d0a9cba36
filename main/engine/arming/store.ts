/**
 * arming_changes rows (store/migrations.ts): every switch of the arming
 * mode, newest = the mode in force. Shared by the server and the CLI.
 */
import type { Role } from '../../api/contract.js';
import type { ArmingChange, ArmingVia } from '../../api/rules.js';
import type { Db } from '../store/db.js';

interface Row {
  id: number;
  time_ms: number;
  mode: string;
  previous: string | null;
  actor: string;
  via: string;
  peer: string | null;
}

const toChange = (r: Row): ArmingChange => ({
  id: r.id,
  time: new Date(r.time_ms).toISOString(),
  mode: r.mode,
  previous: r.previous,
  actor: r.actor,
  via: r.via as ArmingVia,
  peer: r.peer,
});

/** Who switches, and from where. */
export interface Who {
  actor: string;
  /** The caller's role; null for the CLI and integrations (MQTT, webhook, schedule), which may switch to any mode. */
  role: Role | null;
  via: ArmingVia;
  peer: string | null;
}

export interface NewArmingChange {
  timeMs: number;
  mode: string;
  previous: string | null;
  actor: string;
  via: ArmingVia;
  peer: string | null;
}

export class ArmingStore {
  private q;
  constructor(readonly db: Db) {
    this.q = {
      insert: db.prepare('INSERT INTO arming_changes (time_ms, mode, previous, actor, via, peer) VALUES (?, ?, ?, ?, ?, ?)'),
      latest: db.prepare('SELECT * FROM arming_changes ORDER BY id DESC LIMIT 1'),
      maxId: db.prepare('SELECT max(id) AS id FROM arming_changes'),
      after: db.prepare('SELECT * FROM arming_changes WHERE id > ? ORDER BY id ASC'),
      recent: db.prepare('SELECT * FROM arming_changes ORDER BY id DESC LIMIT ?'),
      upTo: db.prepare('SELECT * FROM arming_changes WHERE time_ms <= ? ORDER BY time_ms ASC, id ASC'),
      at: db.prepare('SELECT * FROM arming_changes WHERE time_ms <= ? ORDER BY time_ms DESC, id DESC LIMIT 1'),
    };
  }

  insert(c: NewArmingChange): ArmingChange {
    const r = this.q.insert.run(Math.round(c.timeMs), c.mode, c.previous, c.actor, c.via, c.peer);
    return toChange({
      id: Number(r.lastInsertRowid),
      time_ms: Math.round(c.timeMs),
      mode: c.mode,
      previous: c.previous,
      actor: c.actor,
      via: c.via,
      peer: c.peer,
    });
  }

  latest(): ArmingChange | null {
    const r = this.q.latest.get() as Row | undefined;
    return r ? toChange(r) : null;
  }

  maxId(): number {
    return (this.q.maxId.get() as { id: number | null }).id ?? 0;
  }

  after(id: number): ArmingChange[] {
    return (this.q.after.all(id) as Row[]).map(toChange);
  }

  recent(limit: number): ArmingChange[] {
    return (this.q.recent.all(limit) as Row[]).map(toChange);
  }

  /** The change in force at `ms` (the last one made at or before it), or null. */
  at(ms: number): ArmingChange | null {
    const r = this.q.at.get(Math.round(ms)) as Row | undefined;
    return r ? toChange(r) : null;
  }

  /** Every change up to `ms`, oldest first (for the dry run's mode at each event). */
  upTo(ms: number): { timeMs: number; mode: string }[] {
    return (this.q.upTo.all(Math.round(ms)) as Row[]).map((r) => ({ timeMs: r.time_ms, mode: r.mode }));
  }
}

/** The mode at any time from a list of changes (oldest first): binary search; `initial` before the first. */
export function modeTimeline(changes: { timeMs: number; mode: string }[], initial: string): (ms: number) => string {
  return (ms) => {
    let lo = 0;
    let hi = changes.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (changes[mid]!.timeMs <= ms) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? initial : changes[found]!.mode;
  };
}
