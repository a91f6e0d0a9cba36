/**
 * Evidence export end to end on a real recording: a real engine records two
 * RTSP-fixture cameras for ~5 minutes across many segment boundaries, with
 * one outage (the RTSP server stopped for ~20 s). One recording serves every
 * case of this file.
 *
 *  - the export's clips: ffprobe durations match the indexed coverage within
 *    one GOP, the manifest lists the outage with its reason;
 *  - verify passes (library and `gatehouse export verify`), `openssl pkeyutl
 *    -verify -rawin` and `sha256sum -c` agree;
 *  - a flipped byte, an edited manifest, a deleted file, an added file and a
 *    tampered signature each fail verify, which names them.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../main/engine/engine.js';
import { createExportBundle, selectSegments, SiteKeyStore, type ExportResult, type ManifestVideoFile, type VerifyResult } from '../../main/engine/export/index.js';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import { cliArgs, ffprobe, sleep, startEngine, tempDir, waitFor } from './recording-harness.js';
import { repoRoot } from '../fixtures/media.js';

const run = promisify(execFile);
const GOP_MS = 2000; // the fixture's clip: GOP 2 s, 10 fps
const FRAME_MS = 100;
const RECORD_MS = Number(process.env.GATEHOUSE_EXPORT_TEST_SECONDS ?? 300) * 1000;

/** `gatehouse export verify` as a user runs it; resolves with its exit code and output (never throws on exit 1). */
async function cliVerify(dir: string, dataDir: string, json = false): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, cliArgs('export', 'verify', dir, '--data', dataDir, ...(json ? ['--json'] : [])), { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('evidence export of a real recording', () => {
  let rtsp: RtspFixture;
  let engine: Engine;
  let dataDir: string;
  let keys: SiteKeyStore;
  let result: ExportResult;
  let fromMs = 0;
  let toMs = 0;
  const ids = ['gate', 'yard'];

  beforeAll(async () => {
    rtsp = await startRtspServer({ mounts: { '/cam1': {}, '/cam2': {} } });
    dataDir = tempDir('export-bundle');
    engine = await startEngine(dataDir, { segmentSeconds: 10, stallSeconds: 5 }, [
      { name: 'Gate', url: rtsp.url('/cam1') },
      { name: 'Yard', url: rtsp.url('/cam2') },
    ]);
    const t0 = Date.now();
    await waitFor('both cameras recording', () => ids.every((id) => engine.cameras.info(id)?.status.state === 'recording'), 60_000);
    // record, then an outage of ~20 s in the middle, then record again
    await sleep(Math.max(0, RECORD_MS * 0.45 - (Date.now() - t0)));
    await rtsp.stop();
    await sleep(20_000);
    await rtsp.start();
    await waitFor('recording again', () => ids.every((id) => engine.cameras.info(id)?.status.state === 'recording'), 60_000);
    await sleep(Math.max(0, RECORD_MS - (Date.now() - t0)));
    // the export runs on the live index while the engine keeps recording
    const lists = ids.map((id) => engine.recorder.list(id, t0 - 60_000, Date.now()));
    for (const l of lists) expect(l.gaps.length).toBeGreaterThanOrEqual(1);
    fromMs = Math.max(...lists.map((l) => Date.parse(l.segments[0]!.start))) + 15_300; // mid-segment, mid-GOP
    toMs = Math.min(...lists.map((l) => Date.parse(l.segments[l.segments.length - 1]!.end))) - 7_000;
    keys = new SiteKeyStore(dataDir, engine.secrets);
    result = await createExportBundle({
      target: path.join(engine.paths.exports, 'case-7'),
      zip: true,
      fromMs,
      toMs,
      cameras: ids.map((id) => ({ id, name: engine.cameras.info(id)!.name, ...selectSegments(engine.db, engine.paths.recordings, id, fromMs, toMs) })),
      case: { name: 'Gate 2 incident', reference: 'PD-7' },
      reason: 'integration test',
      operator: { username: 'admin' },
      site: { name: 'Test site' },
      tables: [{ name: 'events', title: 'Events', columns: ['time', 'label'], rows: [{ time: new Date(fromMs + 30_000).toISOString(), label: 'motion' }] }],
      markers: [{ time: new Date(fromMs + 30_000).toISOString(), kind: 'event', label: 'motion' }],
      signer: keys.signer(),
    });
  }, RECORD_MS + 240_000);

  afterAll(async () => {
    await engine?.stop();
    await rtsp?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('each clip lasts as long as the indexed coverage (within one GOP), and the outage is listed as a gap', async () => {
    for (const id of ids) {
      const f = result.manifest.files.find((x) => x.kind === 'video' && x.camera.id === id) as ManifestVideoFile;
      expect(f, id).toBeDefined();
      expect(f.parts).toBe(1);
      const { segments, gaps } = selectSegments(engine.db, engine.paths.recordings, id, fromMs, toMs);
      expect(segments.length).toBeGreaterThan(RECORD_MS / 10_000 / 2);
      const coverage = segments.reduce((a, s) => a + Math.max(0, Math.min(toMs, s.endMs) - Math.max(fromMs, s.startMs)), 0);
      const p = await ffprobe(path.join(result.dir, f.path));
      expect(p).toMatchObject({ codec: 'h264', width: 768, height: 576 });
      // the clip starts at the key frame at or before `from`: up to one GOP more than the coverage
      expect(p.duration * 1000, `${id} duration vs coverage ${coverage}`).toBeGreaterThanOrEqual(coverage - FRAME_MS);
      expect(p.duration * 1000, `${id} duration vs coverage ${coverage}`).toBeLessThanOrEqual(coverage + GOP_MS + FRAME_MS);
      expect(Math.abs(p.duration - f.durationSeconds)).toBeLessThan(0.01);
      expect(p.frames).toBe(f.frames);
      expect(Date.parse(f.firstFrame)).toBeLessThanOrEqual(fromMs);
      expect(fromMs - Date.parse(f.firstFrame)).toBeLessThan(GOP_MS + FRAME_MS);
      expect(Date.parse(f.lastFrame)).toBeLessThanOrEqual(toMs);
      // the index's gap, with its reason and to the millisecond
      const outage = gaps.filter((g) => g.endMs - g.startMs > 5000);
      expect(outage).toHaveLength(1);
      expect(f.gaps).toEqual([
        {
          start: new Date(outage[0]!.startMs).toISOString(),
          end: new Date(outage[0]!.endMs).toISOString(),
          seconds: (outage[0]!.endMs - outage[0]!.startMs) / 1000,
          reason: outage[0]!.reason,
        },
      ]);
      expect(['camera_unreachable', 'stall']).toContain(f.gaps[0]!.reason);
      // two runs around the outage; the media timeline holds no gap
      expect(f.runs).toHaveLength(2);
      expect(f.runs[1]!.start).toBe(f.gaps[0]!.end);
      expect(f.runs[1]!.mediaStart).toBe(f.runs[0]!.mediaEnd);
      expect(result.manifest.cameras.find((c) => c.id === id)!.gaps).toEqual(f.gaps);
    }
  });

  it('verifies: the library, the CLI with the site keys, openssl and sha256sum', async () => {
    const { stdout: ossl } = await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'public-key.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.sig'], { cwd: result.dir });
    expect(ossl).toMatch(/Signature Verified Successfully/);
    const { stdout: sums } = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: result.dir });
    expect(sums.trim().split('\n').every((l) => l.endsWith(': OK'))).toBe(true);
    // the fingerprint README.txt tells people to compare, from the key file with stock tools
    const { stdout: der } = await run('sh', ['-c', 'openssl pkey -pubin -in public-key.pem -outform DER | sha256sum'], { cwd: result.dir });
    expect(der.split(' ')[0]).toBe(result.fingerprint.replace('SHA256:', '').replace(/:/g, ''));
    const cli = await cliVerify(result.dir, dataDir);
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toMatch(/Signature: valid/);
    expect(cli.out).toMatch(/this site's current export key/);
    expect(cli.out).toMatch(/VALID/);
    const json = JSON.parse((await cliVerify(result.dir, dataDir, true)).out) as VerifyResult;
    expect(json).toMatchObject({ ok: true, signature: 'valid', manifestSha256: result.manifestSha256, siteKey: { status: 'this-site' } });
    // a data dir without the site's keys cannot say whose key it is
    const other = tempDir('export-other');
    try {
      const o = await cliVerify(result.dir, other);
      expect(o.code).toBe(0);
      expect(o.out).toMatch(/has no export keys/);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
    // the zip holds the same folder
    const videoBytes = result.manifest.files.filter((x) => x.kind === 'video').reduce((a, x) => a + x.bytes, 0);
    expect(fs.statSync(`${result.dir}.zip`).size).toBeGreaterThan(videoBytes);
  });

  it('a flipped byte, an edited manifest, a deleted file, an added file: verify fails and names each', async () => {
    const work = path.join(dataDir, 'tamper');
    const copy = (name: string) => {
      const d = path.join(work, name);
      fs.cpSync(result.dir, d, { recursive: true });
      return d;
    };
    const clip = (result.manifest.files.find((x) => x.kind === 'video') as ManifestVideoFile).path;
    const cases: { name: string; change: (d: string) => void; expect: RegExp[] }[] = [
      {
        name: 'flip',
        change: (d) => {
          const fd = fs.openSync(path.join(d, clip), 'r+');
          const b = Buffer.alloc(1);
          fs.readSync(fd, b, 0, 1, 500_000);
          b[0] = b[0]! ^ 0x01;
          fs.writeSync(fd, b, 0, 1, 500_000);
          fs.closeSync(fd);
        },
        expect: [new RegExp(`${clip}: changed`)],
      },
      {
        name: 'manifest',
        change: (d) => fs.writeFileSync(path.join(d, 'manifest.json'), fs.readFileSync(path.join(d, 'manifest.json'), 'utf8').replace('"integration test"', '"nothing happened"')),
        expect: [/Signature: BAD \(invalid\)/, /manifest\.json: the signature does not verify/],
      },
      { name: 'deleted', change: (d) => fs.rmSync(path.join(d, 'data', 'events.csv')), expect: [/data\/events\.csv: missing/] },
      { name: 'added', change: (d) => fs.writeFileSync(path.join(d, 'video', 'other.mp4'), 'not evidence'), expect: [/video\/other\.mp4: extra file/] },
      {
        name: 'signature',
        change: (d) => {
          const s = fs.readFileSync(path.join(d, 'manifest.sig'));
          s[10] = s[10]! ^ 0x80;
          fs.writeFileSync(path.join(d, 'manifest.sig'), s);
        },
        expect: [/Signature: BAD \(invalid\)/],
      },
      {
        name: 'all',
        change: (d) => {
          fs.rmSync(path.join(d, 'README.txt'));
          fs.writeFileSync(path.join(d, 'notes.txt'), 'x');
          fs.appendFileSync(path.join(d, 'index.html'), '<!-- -->');
        },
        expect: [/README\.txt: missing/, /notes\.txt: extra file/, /index\.html: changed/, /Files: \d+ ok, 1 changed, 1 missing, 1 extra/],
      },
    ];
    for (const c of cases) {
      const d = copy(c.name);
      c.change(d);
      const r = await cliVerify(d, dataDir);
      expect(r.code, `${c.name}: ${r.out}`).toBe(1);
      for (const re of c.expect) expect(r.out, c.name).toMatch(re);
      expect(r.out).toMatch(/NOT VALID/);
    }
    // and openssl agrees about the edited manifest
    await expect(
      run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'public-key.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'manifest.sig'], { cwd: path.join(work, 'manifest') }),
    ).rejects.toThrow();
  });

  it('a range with no footage is refused with a clear message, and leaves nothing', async () => {
    const before = fs.readdirSync(engine.paths.exports).sort();
    const from = Date.now() + 3600_000;
    await expect(
      createExportBundle({
        target: path.join(engine.paths.exports, 'future'),
        fromMs: from,
        toMs: from + 60_000,
        cameras: ids.map((id) => ({ id, name: id, ...selectSegments(engine.db, engine.paths.recordings, id, from, from + 60_000) })),
        case: { name: 'x' },
        reason: 'x',
        operator: { username: 'admin' },
        site: { name: 'Test site' },
        signer: keys.signer(),
      }),
    ).rejects.toMatchObject({ code: 'no_footage', message: expect.stringMatching(/^nothing was recorded between/) });
    expect(fs.readdirSync(engine.paths.exports).sort()).toEqual(before);
  });
});
