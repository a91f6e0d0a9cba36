/**
 * Audit records for CLI commands that change something (users, cameras,
 * webhooks, the index): actor `os:<login name>` (audit/actor.ts), action the
 * API method that does the same (`users.add`, `cameras.remove` …), details
 * `{via: "cli", host, …}`. They go into the same hash chain as the engine's:
 * the index is opened directly and the append takes SQLite's write lock
 * (BEGIN IMMEDIATE), as the engine's appends do, so with or without a running
 * server there is one chain. With no server running, a signed checkpoint
 * follows at once (the engine signs one at its next start otherwise).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { osActor } from '../engine/audit/actor.js';
import { appendCheckpointFile, AuditCheckpoints } from '../engine/audit/checkpoints.js';
import { AuditTrail } from '../engine/audit/trail.js';
import { securityOf, type ConfigFile } from '../engine/config/schema.js';
import { KeyFileSecretBox } from '../engine/config/secrets.js';
import { parseConfigText } from '../engine/config/store.js';
import { SiteKeyStore } from '../engine/keys/site-key.js';
import { secureDataDir, type DataPaths } from '../engine/paths.js';
import { openIndex } from '../engine/store/db.js';
import { CliError } from './args.js';
import { runningServer } from './offline.js';

export interface CliAuditRecord {
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

/** Record a change the command has made (`config`: the data dir's, if the command has it open). Throws a CliError (exit 1) when it could not be recorded. */
export function auditCli(paths: DataPaths, rec: CliAuditRecord, config?: ConfigFile): void {
  let db;
  try {
    db = openIndex(paths.index);
    secureDataDir(paths);
  } catch (err) {
    throw new CliError(`the change was made, but the audit trail in ${paths.index} could not be opened to record it: ${(err as Error).message}`, 1);
  }
  try {
    try {
      new AuditTrail(db).append({ actor: osActor(), action: rec.action, target: rec.target ?? null, details: { via: 'cli', host: os.hostname(), ...rec.details } });
    } catch (err) {
      throw new CliError(`the change was made, but it could not be recorded in the audit trail: ${(err as Error).message}`, 1);
    }
    if (runningServer(paths)) return; // the server's next checkpoint covers it
    if (fs.existsSync(path.join(paths.root, 'secret.key.safe')) && !fs.existsSync(paths.secretKey)) return; // the desktop app's key: the engine signs
    try {
      const keys = new SiteKeyStore(paths.root, new KeyFileSecretBox(paths.secretKey));
      const cp = new AuditCheckpoints(db).make(keys.signer(), 'cli');
      const file = securityOf(config ?? parseConfigText(paths.config, fs.readFileSync(paths.config, 'utf8')).config).auditCheckpointFile;
      if (cp && file) appendCheckpointFile(file, cp);
      secureDataDir(paths);
    } catch (err) {
      console.error(`gatehouse: warning: no audit checkpoint was signed (${(err as Error).message}); the engine signs one when it starts`);
    }
  } finally {
    db.close();
  }
}
