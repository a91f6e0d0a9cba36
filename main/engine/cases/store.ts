/**
 * Cases: an investigation (name, reference, notes) that collects exports,
 * bookmarks and notes over time. Items are generic (`kind` + `ref`), so the
 * bookmarks concern can attach its bookmarks without this store knowing
 * them. Tables `cases` and `case_items` (store/migrations.ts).
 */
import { ApiError } from '../../api/contract.js';
import { CASE_ITEM_KINDS, type CaseInfo, type CaseItem, type CaseItemKind } from '../../api/export.js';
import type { Db } from '../store/db.js';

interface CaseRow {
  id: number;
  name: string;
  reference: string | null;
  notes: string | null;
  created_ms: number;
  created_by: string;
  updated_ms: number;
  closed_ms: number | null;
}
interface ItemRow {
  id: number;
  case_id: number;
  kind: CaseItemKind;
  ref: string | null;
  text: string | null;
  added_ms: number;
  added_by: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function toItem(r: ItemRow): CaseItem {
  return { id: r.id, caseId: r.case_id, kind: r.kind, ref: r.ref, text: r.text, addedAt: iso(r.added_ms), addedBy: r.added_by };
}

export class CaseStore {
  constructor(private readonly db: Db) {}

  private info(r: CaseRow): CaseInfo {
    const counts = Object.fromEntries(CASE_ITEM_KINDS.map((k) => [k, 0])) as Record<CaseItemKind, number>;
    for (const c of this.db.prepare<[number], { kind: CaseItemKind; n: number }>('SELECT kind, COUNT(*) AS n FROM case_items WHERE case_id = ? GROUP BY kind').all(r.id)) {
      if (c.kind in counts) counts[c.kind] = c.n;
    }
    return {
      id: r.id,
      name: r.name,
      reference: r.reference,
      notes: r.notes,
      createdAt: iso(r.created_ms),
      createdBy: r.created_by,
      updatedAt: iso(r.updated_ms),
      closedAt: r.closed_ms === null ? null : iso(r.closed_ms),
      counts,
    };
  }

  get(id: number): CaseInfo | null {
    const r = this.db.prepare<[number], CaseRow>('SELECT * FROM cases WHERE id = ?').get(id);
    return r ? this.info(r) : null;
  }

  mustGet(id: number): CaseInfo {
    const c = this.get(id);
    if (!c) throw new ApiError('not_found', `no case ${id}; see the Cases list`, 'caseId');
    return c;
  }

  byName(name: string): CaseInfo | null {
    const r = this.db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE name = ? COLLATE NOCASE').get(name.trim());
    return r ? this.info(r) : null;
  }

  list(o: { closed?: boolean } = {}): CaseInfo[] {
    const rows = this.db
      .prepare<[], CaseRow>(`SELECT * FROM cases ${o.closed ? '' : 'WHERE closed_ms IS NULL'} ORDER BY updated_ms DESC, id DESC LIMIT 1000`)
      .all();
    return rows.map((r) => this.info(r));
  }

  create(c: { name: string; reference?: string | null; notes?: string | null }, by: string, now = Date.now()): CaseInfo {
    const name = c.name.trim();
    if (this.byName(name)) throw new ApiError('conflict', `a case named "${name}" exists already; pick it, or choose another name`, 'name');
    const r = this.db
      .prepare('INSERT INTO cases (name, reference, notes, created_ms, created_by, updated_ms) VALUES (?, ?, ?, ?, ?, ?)')
      .run(name, c.reference?.trim() || null, c.notes || null, now, by, now);
    return this.get(Number(r.lastInsertRowid))!;
  }

  /** The case of that name, made if there is none (the CLI's --case TEXT). */
  findOrCreate(name: string, by: string): CaseInfo {
    return this.byName(name) ?? this.create({ name }, by);
  }

  update(id: number, p: { name?: string; reference?: string | null; notes?: string | null; closed?: boolean }, now = Date.now()): CaseInfo {
    const c = this.mustGet(id);
    if (p.name !== undefined && p.name.trim().toLowerCase() !== c.name.toLowerCase() && this.byName(p.name)) {
      throw new ApiError('conflict', `a case named "${p.name.trim()}" exists already; choose another name`, 'name');
    }
    this.db
      .prepare('UPDATE cases SET name = ?, reference = ?, notes = ?, closed_ms = ?, updated_ms = ? WHERE id = ?')
      .run(
        p.name?.trim() ?? c.name,
        p.reference === undefined ? c.reference : p.reference?.trim() || null,
        p.notes === undefined ? c.notes : p.notes || null,
        p.closed === undefined ? (c.closedAt ? Date.parse(c.closedAt) : null) : p.closed ? (c.closedAt ? Date.parse(c.closedAt) : now) : null,
        now,
        id,
      );
    return this.get(id)!;
  }

  addItem(i: { caseId: number; kind: CaseItemKind; ref?: string | null; text?: string | null }, by: string, now = Date.now()): CaseItem {
    this.mustGet(i.caseId);
    if (i.kind !== 'note' && !i.ref) throw new ApiError('bad_request', `a ${i.kind} item needs the ${i.kind}'s id (ref)`, 'ref');
    if (i.kind === 'note' && !i.text?.trim()) throw new ApiError('bad_request', 'a note needs its text', 'text');
    const ref = i.kind === 'note' ? null : i.ref!;
    const tx = this.db.transaction(() => {
      if (ref) {
        const old = this.db.prepare<[number, string, string], ItemRow>('SELECT * FROM case_items WHERE case_id = ? AND kind = ? AND ref = ?').get(i.caseId, i.kind, ref);
        if (old) return old.id;
      }
      const r = this.db
        .prepare('INSERT INTO case_items (case_id, kind, ref, text, added_ms, added_by) VALUES (?, ?, ?, ?, ?, ?)')
        .run(i.caseId, i.kind, ref, i.text?.trim() || null, now, by);
      this.db.prepare('UPDATE cases SET updated_ms = ? WHERE id = ?').run(now, i.caseId);
      return Number(r.lastInsertRowid);
    });
    const id = this.db.inTransaction ? tx() : tx.immediate();
    return toItem(this.db.prepare<[number], ItemRow>('SELECT * FROM case_items WHERE id = ?').get(id)!);
  }

  removeItem(id: number, now = Date.now()): CaseItem {
    const r = this.db.prepare<[number], ItemRow>('SELECT * FROM case_items WHERE id = ?').get(id);
    if (!r) throw new ApiError('not_found', `no case item ${id}`, 'id');
    this.db.prepare('DELETE FROM case_items WHERE id = ?').run(id);
    this.db.prepare('UPDATE cases SET updated_ms = ? WHERE id = ?').run(now, r.case_id);
    return toItem(r);
  }

  items(caseId: number): CaseItem[] {
    return this.db.prepare<[number], ItemRow>('SELECT * FROM case_items WHERE case_id = ? ORDER BY added_ms, id').all(caseId).map(toItem);
  }
}
