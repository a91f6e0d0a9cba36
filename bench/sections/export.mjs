// Evidence export: the export's own MP4 writer (main/engine/export) against a
// plain `ffmpeg -f concat -safe 0 -i list -c copy` of the same recorded
// segments, in the same run:
//
//  1. one 1080p camera, 1 hour (quick: 10 minutes): CPU and wall time of the
//     writer / of ffmpeg, and how many times faster than real time it is;
//  2. four such cameras at once (four writers in one process as the engine
//     would run them, against four ffmpegs in parallel), and the whole signed
//     bundle of the four (createExportBundle: clips, hashes, manifest, player).
//
// Footage: the 1080p test clip (25 fps, ~2.2 Mb/s, GOP 2 s) looped by stream
// copy into 10 s fMP4 segments with the recorder's own muxer options, named,
// placed and indexed as the recorder does (test/integration/export-footage.ts).
// Cameras 2-4 are hard links to camera 1's files. Every file is read once
// before measuring, so both sides read from the page cache. Both sides run as
// fresh processes; CPU is the process's whole CPU time (node start-up and
// module loading included), from /proc. The writer fsyncs its output; so that
// both sides leave the data on disk, the baseline's outputs are fsynced inside
// its timed window too. Temp dir /tmp/fixture-bench-<pid>-export.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { cpuMeter } from '../lib/cpu.mjs';
import { media } from '../lib/fixtures.mjs';
import { root, tempDir } from '../lib/paths.mjs';
import { run } from '../lib/procs.mjs';
import { figure } from '../lib/report.mjs';

const T0 = Date.UTC(2026, 10, 26, 0, 0, 0);

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, fs.statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs);
  }
  return newest;
}

/** The export library as the runner loads it: dist/ when it is newer than the sources, else the TypeScript through tsx. */
function exportModule(mode) {
  const dist = path.join(root, 'dist', 'main', 'engine', 'export', 'index.js');
  const fresh = fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= newestMtime(path.join(root, 'main'));
  const use = mode === 'auto' ? (fresh ? 'dist' : 'source') : mode;
  if (use === 'dist') {
    if (!fs.existsSync(dist)) throw new Error('--engine dist: dist/ is not built; run "npm run build" first');
    const d = (p) => path.join(root, 'dist', 'main', 'engine', p);
    return { kind: 'dist', nodeArgs: [], module: dist, dbModule: d('store/db.js'), secretsModule: d('config/secrets.js') };
  }
  const s = (p) => path.join(root, 'main', 'engine', p);
  return { kind: 'source (tsx)', nodeArgs: ['--import', 'tsx'], module: s('export/index.ts'), dbModule: s('store/db.ts'), secretsModule: s('config/secrets.ts') };
}

function readAll(files) {
  const buf = Buffer.allocUnsafe(16 * 1024 * 1024);
  for (const f of files) {
    const fd = fs.openSync(f, 'r');
    try {
      while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
    } finally {
      fs.closeSync(fd);
    }
  }
}

function fsyncFile(f) {
  const fd = fs.openSync(f, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

export default {
  name: 'export',
  order: 70,
  title: 'Evidence export: MP4 writer vs ffmpeg concat',
  description: '1 h of one 1080p camera exported by the writer against ffmpeg -f concat -c copy (CPU, wall, × real time); then 4 cameras at once',
  async run(ctx) {
    const seconds = ctx.opts.quick ? 600 : 3600;
    const rounds = ctx.opts.quick ? 1 : 2;
    const dir = tempDir('export');
    const data = path.join(dir, 'data');
    const lib = exportModule(ctx.opts.engine);
    const footage = await tsImport(pathToFileURL(path.join(root, 'test', 'integration', 'export-footage.ts')).href, import.meta.url);
    const clip = await (await media()).clip1080pH264();

    ctx.log(`export: making ${seconds / 60} min of 1080p footage (stream copy into 10 s segments)`);
    await footage.writeFootage(data, { cameraId: 'cam1', startMs: T0, source: clip, pieces: [{ seconds }] });
    const cams = ['cam1', 'cam2', 'cam3', 'cam4'];
    for (const c of cams.slice(1)) {
      const r = await run('cp', ['-al', path.join(data, 'recordings', 'cam1'), path.join(data, 'recordings', c)]);
      if (r.code !== 0) throw new Error(`cp -al failed: ${r.stderr}`);
    }
    await footage.indexFootage(data);
    const segs = fs
      .readdirSync(path.join(data, 'recordings', 'cam1'), { recursive: true })
      .filter((f) => f.endsWith('.mp4'))
      .sort()
      .map((f) => path.join(data, 'recordings', 'cam1', f));
    const segBytes = segs.reduce((a, f) => a + fs.statSync(f).size, 0);
    const list = path.join(dir, 'concat.txt');
    fs.writeFileSync(list, segs.map((f) => `file '${f.replace(/'/g, "'\\''")}'`).join('\n') + '\n');
    const toMs = T0 + seconds * 1000 + 60_000; // past the end: everything
    ctx.log(`export: ${segs.length} segments, ${(segBytes / 1024 ** 3).toFixed(2)} GiB per camera; reading them once (page cache)`);
    readAll(segs);
    const out = path.join(dir, 'out');

    const baseline = async (n) => {
      fs.rmSync(out, { recursive: true, force: true });
      fs.mkdirSync(out, { recursive: true });
      const files = Array.from({ length: n }, (_, i) => path.join(out, `ffmpeg-${i}.mp4`));
      const m = cpuMeter(() => [process.pid]);
      const rs = await Promise.all(files.map((f) => run(ctx.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-y', f])));
      for (const f of files) fsyncFile(f);
      const r = m.stop();
      for (const x of rs) if (x.code !== 0) throw new Error(`ffmpeg concat failed: ${x.stderr.slice(-500)}`);
      const bytes = files.reduce((a, f) => a + fs.statSync(f).size, 0);
      fs.rmSync(out, { recursive: true, force: true });
      return { cpuS: r.cpuSeconds, wallS: r.seconds, bytes };
    };
    const writer = async (n, mode) => {
      fs.rmSync(out, { recursive: true, force: true });
      const spec = { module: lib.module, dbModule: lib.dbModule, secretsModule: lib.secretsModule, dataDir: data, cameras: cams.slice(0, n), fromMs: T0 - 60_000, toMs, out, mode };
      const m = cpuMeter(() => [process.pid]);
      const r = await run(process.execPath, [...lib.nodeArgs, path.join(root, 'bench', 'sections', '_export-runner.mjs'), JSON.stringify(spec)], { cwd: root });
      const w = m.stop();
      if (r.code !== 0) throw new Error(`export runner failed: ${r.stderr.slice(-1500)}`);
      const inner = JSON.parse(r.stdout.trim().split('\n').pop());
      fs.rmSync(out, { recursive: true, force: true });
      return { cpuS: w.cpuSeconds, wallS: w.seconds, callCpuS: inner.cpuMs / 1000, callWallS: inner.wallMs / 1000, bytes: inner.bytes };
    };

    const measure = async (n) => {
      const b = [];
      const w = [];
      for (let i = 0; i < rounds; i++) {
        ctx.log(`export: ${n} camera(s), round ${i + 1}/${rounds}: ffmpeg concat`);
        b.push(await baseline(n));
        ctx.log(`export: ${n} camera(s), round ${i + 1}/${rounds}: writer`);
        w.push(await writer(n, 'writer'));
      }
      const avg = (xs, k) => mean(xs.map((x) => x[k]));
      return {
        ffmpeg: { cpuS: avg(b, 'cpuS'), wallS: avg(b, 'wallS'), bytes: b[0].bytes },
        writer: { cpuS: avg(w, 'cpuS'), wallS: avg(w, 'wallS'), callCpuS: avg(w, 'callCpuS'), callWallS: avg(w, 'callWallS'), bytes: w[0].bytes },
        rounds: { ffmpeg: b, writer: w },
      };
    };

    const one = await measure(1);
    const four = await measure(4);
    ctx.log('export: 4 cameras, the whole signed bundle');
    const bundle = await writer(4, 'bundle');
    const rt = (n, s) => (n * seconds) / s;
    const lines = [
      `footage: ${seconds / 60} min per camera of 1080p25 H.264 (~2.2 Mb/s), ${segs.length} segments, ${(segBytes / 1024 ** 2).toFixed(0)} MiB; export library from ${lib.kind}; ${rounds} round(s), means`,
      `1 camera:  ffmpeg concat ${one.ffmpeg.cpuS.toFixed(2)} s CPU / ${one.ffmpeg.wallS.toFixed(2)} s wall; writer ${one.writer.cpuS.toFixed(2)} s CPU / ${one.writer.wallS.toFixed(2)} s wall (the export call alone: ${one.writer.callCpuS.toFixed(2)} s CPU / ${one.writer.callWallS.toFixed(2)} s wall, SHA-256 and fsync included)`,
      `4 cameras: ffmpeg concat ×4 ${four.ffmpeg.cpuS.toFixed(2)} s CPU / ${four.ffmpeg.wallS.toFixed(2)} s wall; writer ${four.writer.cpuS.toFixed(2)} s CPU / ${four.writer.wallS.toFixed(2)} s wall`,
      `4 cameras, whole signed bundle (createExportBundle): ${bundle.cpuS.toFixed(2)} s CPU / ${bundle.wallS.toFixed(2)} s wall, ${(bundle.bytes / 1024 ** 3).toFixed(2)} GiB`,
      `output sizes: writer ${(one.writer.bytes / 1024 ** 2).toFixed(1)} MiB, ffmpeg ${(one.ffmpeg.bytes / 1024 ** 2).toFixed(1)} MiB (1 camera)`,
    ];
    const figures = [
      figure('1 camera: writer CPU / ffmpeg concat CPU', one.writer.cpuS / one.ffmpeg.cpuS, '×', { op: '<=', value: 1.2 }),
      figure('1 camera: writer wall / ffmpeg concat wall', one.writer.wallS / one.ffmpeg.wallS, '×', { op: '<=', value: 1.2 }),
      figure('1 camera: writer speed (× real time)', rt(1, one.writer.wallS), '×', { op: '>=', value: 200 }),
      figure('4 cameras at once: writer CPU / ffmpeg CPU', four.writer.cpuS / four.ffmpeg.cpuS, '×'),
      figure('4 cameras at once: writer wall / ffmpeg wall', four.writer.wallS / four.ffmpeg.wallS, '×'),
      figure('4 cameras at once: writer speed (camera-hours × real time)', rt(4, four.writer.wallS), '×'),
      figure('4 cameras: whole signed bundle speed (× real time)', rt(4, bundle.wallS), '×'),
    ];
    return { lines, figures, details: { seconds, segments: segs.length, segBytes, module: lib.kind, one, four, bundle } };
  },
};
