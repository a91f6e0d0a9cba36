/**
 * Audit records for configuration changes made with the command line (rules,
 * doors, sensors): the one CLI audit path (audit-cli.ts), so the actor is the
 * OS account (`os:<login>`), the record joins the same hash chain as the
 * engine's, and with no server running a signed checkpoint follows.
 */
import type { DataPaths } from '../engine/paths.js';
import { auditCli } from './audit-cli.js';

export function recordCliChange(paths: DataPaths, action: string, target: string | null, details: Record<string, unknown>): void {
  auditCli(paths, { action, target, details });
}
