/**
 * What the detection, zones and events commands share: labels from the
 * command line, the camera by name or id, and the audit record of a change
 * made from the command line (actor `os:<login>`, like every CLI change).
 */
import { OBJECT_LABELS, type ObjectLabel } from '../../api/detection.js';
import { findCamera } from '../../engine/cameras/catalog.js';
import type { ConfigFile, StoredCamera } from '../../engine/config/schema.js';
import type { DataPaths } from '../../engine/paths.js';
import { CliError } from '../args.js';
import { auditCli as recordCliAudit } from '../audit-cli.js';

/** "person,vehicle" → labels, naming the one that is not a label. */
export function parseLabels(text: string, flag = '--labels'): ObjectLabel[] {
  const parts = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (!parts.length) throw new CliError(`${flag}: give at least one label (${OBJECT_LABELS.join(', ')})`);
  for (const p of parts) if (!(OBJECT_LABELS as readonly string[]).includes(p)) throw new CliError(`${flag}: "${p}" is not a label; use ${OBJECT_LABELS.join(', ')}`);
  return [...new Set(parts)] as ObjectLabel[];
}

/** A number option, or a message naming the flag. */
export function numberOf(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new CliError(`${flag}: "${String(v)}" is not a number`);
  return n;
}

export function cameraOf(cfg: ConfigFile, ref: string): StoredCamera {
  const cam = findCamera(cfg.cameras, ref);
  if (!cam) throw new CliError(`no camera named "${ref}"; see "gatehouse cameras list"`, 3);
  return cam;
}

/** Record a change made from the command line in the audit trail: the one CLI audit path (actor `os:<login>`, audit-cli.ts). */
export function auditCli(paths: DataPaths, action: string, target: string | null, details: Record<string, unknown>): void {
  recordCliAudit(paths, { action, target, details });
}
