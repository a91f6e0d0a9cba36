/**
 * The data tables that travel with an export (events, alarms, access-log
 * rows, the audit excerpt of the case): each written twice, as JSON (the
 * rows as given, keys sorted) and as CSV (RFC 4180, UTF-8, CRLF, a header
 * row in the caller's column order) for spreadsheets.
 *
 * CSV cells that a spreadsheet would run as a formula (text starting with
 * =, +, -, @, tab or CR) get a leading apostrophe; the JSON keeps the exact value.
 */
import { ExportError } from './errors.js';
import { stableJson } from './stable-json.js';

export interface ExportTable {
  /** File name stem: lowercase letters, digits and dashes (e.g. "events", "access-log", "audit"). */
  name: string;
  /** Human title, e.g. "Access-control log". */
  title: string;
  /** Column order for the CSV (keys of the rows). */
  columns: string[];
  rows: Record<string, unknown>[];
}

export function validateTable(t: ExportTable): void {
  if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(t.name)) throw new ExportError('bad_request', `table name "${t.name}" must be lowercase letters, digits and dashes`);
  if (!Array.isArray(t.columns) || !t.columns.length) throw new ExportError('bad_request', `table ${t.name} needs its columns`);
  if (!Array.isArray(t.rows)) throw new ExportError('bad_request', `table ${t.name} needs rows (an array)`);
}

function cell(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = '';
  else if (typeof v === 'string') s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') s = String(v);
  else if (v instanceof Date) s = v.toISOString();
  else s = JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function tableCsv(t: ExportTable): string {
  const lines = [t.columns.map(cell).join(',')];
  for (const r of t.rows) lines.push(t.columns.map((c) => cell(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function tableJson(t: ExportTable): string {
  return stableJson({ table: t.name, title: t.title, columns: t.columns, rows: t.rows });
}
