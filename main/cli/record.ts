/**
 * Audit records for configuration changes made with the command line (rules,
 * doors, sensors, arming), appended to the data dir's hash-chained trail
 * with the command line's user (cli:<os user>), as `gatehouse export` and
 * `evidence unlock` do. A data dir without an index yet gets one.
 *
 * TODO(integrator): the web-security work adds audit rows for every CLI
 * command that changes state; fold this helper into theirs when merging.
 */
import { AuditTrail } from '../engine/audit/trail.js';
import type { DataPaths } from '../engine/paths.js';
import { openIndex } from '../engine/store/db.js';
import { cliActor } from './commands/export.js';

export function recordCliChange(paths: DataPaths, action: string, target: string | null, details: Record<string, unknown>): void {
  try {
    const db = openIndex(paths.index);
    try {
      new AuditTrail(db).append({ actor: cliActor().username, action, target, details: { ...details, via: 'cli' } });
    } finally {
      db.close();
    }
  } catch (err) {
    console.error(`gatehouse: the change was made but could not be written to the audit trail (${(err as Error).message})`);
  }
}
