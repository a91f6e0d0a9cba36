/**
 * Two processes opening a new index at the same moment (two CLI commands on a fresh data dir, the CLI next to a
 * starting engine) run each migration once: each step takes the write lock and reads the version again under it.
 * Before, both read version 0 and the second failed with "table … already exists".
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openIndex } from '../../main/engine/store/db.js';
import { MIGRATIONS } from '../../main/engine/store/migrations.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'index-race-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('six processes opening one new index at once all succeed, and the schema is migrated once', async () => {
  const file = path.join(dir, 'index.sqlite');
  const script = path.join(dir, 'open.mts');
  fs.writeFileSync(
    script,
    `import { openIndex } from ${JSON.stringify(path.join(ROOT, 'main/engine/store/db.ts'))};\nconst go = Number(process.argv[3]);\nwhile (Date.now() < go) {}\nopenIndex(process.argv[2]).close();\n`,
  );
  const go = Date.now() + 3000; // every process waits for the same moment after its start-up
  const runs = Array.from({ length: 6 }, () =>
    new Promise<{ code: number | null; err: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', script, file, String(go)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('exit', (code) => resolve({ code, err }));
    }),
  );
  const results = await Promise.all(runs);
  expect(results.filter((r) => r.code !== 0).map((r) => r.err)).toEqual([]);
  const db = openIndex(file);
  expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  db.close();
}, 60_000);
