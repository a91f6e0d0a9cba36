// Child process of the export bench (bench/sections/export.mjs; the leading
// underscore keeps the section loader away). Runs one export the way the
// engine will, in a fresh process, and prints one JSON line with the CPU and
// wall time of the export call itself.
//
//   node [--import tsx] _export-runner.mjs '<json>'
//   json: { module, dataDir, cameras: [id], fromMs, toMs, out, mode: 'writer' | 'bundle' }
//
// mode writer: planClip + writeClip per camera (all cameras at once), SHA-256 on as in a bundle.
// mode bundle: createExportBundle (all cameras, signed manifest, player, README).

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const spec = JSON.parse(process.argv[2]);
const lib = await import(pathToFileURL(spec.module).href);
const dbMod = await import(pathToFileURL(spec.dbModule).href);
const secretsMod = await import(pathToFileURL(spec.secretsModule).href);
const db = dbMod.openIndex(path.join(spec.dataDir, 'index.sqlite'), { readonly: true });
const recordings = path.join(spec.dataDir, 'recordings');
const cams = spec.cameras.map((id) => ({ id, name: id, ...lib.selectSegments(db, recordings, id, spec.fromMs, spec.toMs) }));
fs.mkdirSync(spec.out, { recursive: true });

const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let bytes = 0;
if (spec.mode === 'writer') {
  const written = await Promise.all(
    cams.map(async (c) => {
      const plan = await lib.planClip(c.segments, spec.fromMs, spec.toMs);
      let b = 0;
      for (const part of plan.parts) b += (await lib.writeClip(part, path.join(spec.out, `${c.id}-${part.index}.mp4`), { hash: spec.hash !== false })).bytes;
      return b;
    }),
  );
  bytes = written.reduce((a, b) => a + b, 0);
} else {
  const keys = new lib.SiteKeyStore(spec.dataDir, new secretsMod.KeyFileSecretBox(path.join(spec.dataDir, 'secret.key')));
  const r = await lib.createExportBundle({
    target: path.join(spec.out, 'bundle'),
    fromMs: spec.fromMs,
    toMs: spec.toMs,
    cameras: cams,
    case: { name: 'bench' },
    reason: 'bench',
    operator: { username: 'bench' },
    site: { name: 'bench' },
    signer: keys.signer(),
    checkSpace: false,
  });
  bytes = r.bytes;
}
const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
const c = process.cpuUsage(cpu0);
db.close();
process.stdout.write(JSON.stringify({ wallMs, cpuMs: (c.user + c.system) / 1000, bytes }) + '\n');
