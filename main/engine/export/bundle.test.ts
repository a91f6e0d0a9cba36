import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyFileSecretBox } from '../config/secrets.js';
import { cameraGaps, createExportBundle, estimateExport, type CreateExportOptions, type ExportResult } from './bundle.js';
import type { SourceSegment } from './clip-plan.js';
import type { Manifest } from './manifest.js';
import { readSitePublicKeys, SiteKeyStore } from '../keys/site-key.js';
import { stableJson } from './stable-json.js';
import { tableCsv } from './tables.js';
import { verifyBundle } from './verify.js';
import { synthSegment } from './__fixtures__/segments.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'export-bundle-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const T0 = Date.UTC(2026, 10, 26, 8, 0, 0);
let tag = 0;
function seg(startMs: number, gops: number, runId: string, audio = false): SourceSegment {
  const file = path.join(tmp, `s${++tag}.mp4`);
  fs.writeFileSync(file, synthSegment({ tag, gops, audioRate: audio ? 16000 : undefined }));
  return { path: file, startMs, endMs: startMs + gops * 400, runId, id: tag };
}

let keys: SiteKeyStore;
let base: Omit<CreateExportOptions, 'target'>;
let result: ExportResult;
const dataDir = path.join(tmp, 'data');

beforeAll(async () => {
  fs.mkdirSync(dataDir);
  keys = new SiteKeyStore(dataDir, new KeyFileSecretBox(path.join(dataDir, 'secret.key')));
  const door = [seg(T0, 5, 'a', true), seg(T0 + 2000, 5, 'a', true), seg(T0 + 6000, 5, 'b', true)];
  const yard = [seg(T0 + 100, 10, 'c'), seg(T0 + 4100, 10, 'c')];
  base = {
    fromMs: T0 + 500,
    toMs: T0 + 7000,
    cameras: [
      { id: 'door', name: 'Front door', segments: door, gaps: [{ startMs: T0 + 4000, endMs: T0 + 6000, reason: 'camera_unreachable' }] },
      { id: 'yard', name: 'Yard', segments: yard, gaps: [] },
      { id: 'roof', name: 'Roof', segments: [], gaps: [{ startMs: T0 - 3600_000, endMs: T0 + 3600_000, reason: 'disabled' }] },
    ],
    case: { name: 'Break-in at gate 2', reference: 'PD-2026-1187', notes: 'handed to PC Smith' },
    reason: 'police request',
    operator: { username: 'sup', displayName: 'Sam Supervisor' },
    site: { name: 'Depot North', id: 'depot-n' },
    host: 'desk-pc',
    tables: [
      { name: 'events', title: 'Events', columns: ['time', 'camera', 'label'], rows: [{ time: new Date(T0 + 1000).toISOString(), camera: 'door', label: 'motion, "person"' }] },
      { name: 'access', title: 'Access-control log', columns: ['time', 'badge', 'door'], rows: [{ time: new Date(T0 + 1500).toISOString(), badge: '=HYPERLINK("x")', door: 'Gate 2' }] },
    ],
    markers: [{ time: new Date(T0 + 1000).toISOString(), kind: 'event', label: 'motion', cameraId: 'door' }],
    signer: keys.signer(),
  };
  result = await createExportBundle({ ...base, target: path.join(tmp, 'exports', 'case-1'), zip: true });
});

const manifestOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;

describe('export bundle', () => {
  it('has the layout, and a manifest that lists every file with its hash', () => {
    const dir = result.dir;
    const files = (d: string, rel = ''): string[] =>
      fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name), `${rel}${e.name}/`) : [`${rel}${e.name}`]));
    expect(files(dir).sort()).toEqual(
      ['README.txt', 'SHA256SUMS', 'data/access.csv', 'data/access.json', 'data/events.csv', 'data/events.json', 'index.html', 'manifest.json', 'manifest.sig', 'public-key.pem', 'video/door.mp4', 'video/yard.mp4'].sort(),
    );
    expect(fs.readdirSync(path.dirname(dir)).sort()).toEqual(['case-1', 'case-1.zip']);
    const m = manifestOf(dir);
    expect(m).toMatchObject({
      format: 'gatehouse-evidence-export',
      formatVersion: 1,
      case: { name: 'Break-in at gate 2', reference: 'PD-2026-1187', notes: 'handed to PC Smith' },
      reason: 'police request',
      operator: { username: 'sup', displayName: 'Sam Supervisor' },
      site: { name: 'Depot North', id: 'depot-n' },
      host: { name: 'desk-pc' },
      range: { from: '2026-11-26T08:00:00.500Z', to: '2026-11-26T08:00:07.000Z', seconds: 6.5 },
      signature: { algorithm: 'Ed25519', fingerprint: keys.current().fingerprint, file: 'manifest.sig', publicKey: 'public-key.pem' },
    });
    for (const f of m.files) {
      const buf = fs.readFileSync(path.join(dir, f.path));
      expect(f.bytes, f.path).toBe(buf.length);
      expect(f.sha256, f.path).toBe(crypto.createHash('sha256').update(buf).digest('hex'));
    }
    expect(m.files.map((f) => f.path).sort()).toEqual(files(dir).filter((f) => !['manifest.json', 'manifest.sig'].includes(f)).sort());
    // SHA256SUMS lists every other listed file, for sha256sum -c
    const sums = fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums).toHaveLength(m.files.length - 1);
    for (const line of sums) {
      const [hash, p] = line.split('  ');
      expect(m.files.find((f) => f.path === p)!.sha256).toBe(hash);
    }
    // deterministic bytes: sorted keys, so re-serialising gives the same file
    expect(stableJson(m)).toBe(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(result.manifestSha256).toBe(crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, 'manifest.json'))).digest('hex'));
    // the signature: 64 raw bytes over the exact manifest bytes
    const sig = fs.readFileSync(path.join(dir, 'manifest.sig'));
    expect(sig.length).toBe(64);
    expect(crypto.verify(null, fs.readFileSync(path.join(dir, 'manifest.json')), fs.readFileSync(path.join(dir, 'public-key.pem')), sig)).toBe(true);
  });

  it('describes each clip: camera, frames, cut, runs and the gaps with their reasons', () => {
    const m = manifestOf(result.dir);
    const door = m.files.find((f) => f.path === 'video/door.mp4')!;
    expect(door).toMatchObject({
      kind: 'video',
      camera: { id: 'door', name: 'Front door' },
      part: 1,
      parts: 1,
      firstFrame: '2026-11-26T08:00:00.400Z',
      cut: 'key-frame',
      reencoded: false,
      reencodeReasons: [],
      codec: 'avc1.4d401e',
      width: 640,
      height: 360,
      audio: { codec: 'mp4a.40.2' },
      sourceSegments: [1, 2, 3],
    });
    if (door.kind !== 'video') throw new Error('not a video');
    expect(door.runs).toEqual([
      { mediaStart: 0, mediaEnd: 3.6, start: '2026-11-26T08:00:00.400Z', end: '2026-11-26T08:00:04.000Z' },
      // the frame at exactly `to` (08:00:07.000) is in, so the run ends one frame later
      { mediaStart: 3.6, mediaEnd: 4.64, start: '2026-11-26T08:00:06.000Z', end: '2026-11-26T08:00:07.040Z' },
    ]);
    expect(door.gaps).toEqual([{ start: '2026-11-26T08:00:04.000Z', end: '2026-11-26T08:00:06.000Z', seconds: 2, reason: 'camera_unreachable' }]);
    const cams = Object.fromEntries(m.cameras.map((c) => [c.id, c]));
    expect(cams.door!.recordedSeconds).toBe(4.5);
    expect(cams.yard!.gaps).toEqual([]);
    expect(cams.roof).toMatchObject({ files: [], recordedSeconds: 0, gaps: [{ reason: 'disabled', start: '2026-11-26T08:00:00.500Z', end: '2026-11-26T08:00:07.000Z' }] });
    expect(m.notes.join('\n')).toMatch(/Roof: nothing was recorded/);
    const tables = m.files.filter((f) => f.kind === 'table');
    expect(tables.map((t) => t.path).sort()).toEqual(['data/access.csv', 'data/access.json', 'data/events.csv', 'data/events.json']);
  });

  it('writes CSV for spreadsheets (quotes, CRLF, no formulas) and JSON with the exact values', () => {
    const csv = fs.readFileSync(path.join(result.dir, 'data/access.csv'), 'utf8');
    expect(csv).toBe(`time,badge,door\r\n${new Date(T0 + 1500).toISOString()},"'=HYPERLINK(""x"")",Gate 2\r\n`);
    expect(JSON.parse(fs.readFileSync(path.join(result.dir, 'data/access.json'), 'utf8')).rows[0].badge).toBe('=HYPERLINK("x")');
    expect(tableCsv({ name: 't', title: 't', columns: ['a', 'b'], rows: [{ a: 'x\ny', b: { n: 1 } }, { a: null, b: -5 }] })).toBe('a,b\r\n"x\ny","{""n"":1}"\r\n,-5\r\n');
  });

  it('the README says how to check by hand, and the player is one offline file', () => {
    const readme = fs.readFileSync(path.join(result.dir, 'README.txt'), 'utf8');
    expect(readme).toContain('openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig');
    expect(readme).toContain('sha256sum -c SHA256SUMS');
    expect(readme).toContain(result.fingerprint.replace('SHA256:', '').replace(/:/g, ''));
    const html = fs.readFileSync(path.join(result.dir, 'index.html'), 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).toContain("connect-src 'none'");
    const data = JSON.parse(/<script type="application\/json" id="gatehouse-export-data">([\s\S]*?)<\/script>/.exec(html)![1]!);
    expect(data.cameras.map((c: { id: string }) => c.id)).toEqual(['door', 'yard', 'roof']);
    expect(data.cameras[0].files[0]).toMatchObject({ path: 'video/door.mp4', fps: 25 });
    expect(data.markers).toHaveLength(1);
  });

  it('verifies, and names every changed, missing and extra file and a bad signature', async () => {
    const ok = await verifyBundle(result.dir, { siteKeys: readSitePublicKeys(dataDir) });
    expect(ok).toMatchObject({ ok: true, signature: 'valid', problems: [], siteKey: { status: 'this-site' }, manifestSha256: result.manifestSha256 });
    const copy = (name: string) => {
      const d = path.join(tmp, 'tamper', name);
      fs.cpSync(result.dir, d, { recursive: true });
      return d;
    };
    const flip = copy('flip');
    const buf = fs.readFileSync(path.join(flip, 'video/yard.mp4'));
    buf[buf.length - 10] = buf[buf.length - 10]! ^ 0xff;
    fs.writeFileSync(path.join(flip, 'video/yard.mp4'), buf);
    fs.rmSync(path.join(flip, 'data/events.csv'));
    fs.writeFileSync(path.join(flip, 'video/extra.mp4'), 'x');
    const r = await verifyBundle(flip);
    expect(r.ok).toBe(false);
    expect(r.signature).toBe('valid');
    expect(
      r.files
        .filter((f) => f.status !== 'ok')
        .map((f) => `${f.status} ${f.path}`)
        .sort(),
    ).toEqual(['changed video/yard.mp4', 'extra video/extra.mp4', 'missing data/events.csv']);
    expect(r.problems).toHaveLength(3);
    expect(r.siteKey.status).toBe('not-checked');

    const edited = copy('edited');
    const m = fs.readFileSync(path.join(edited, 'manifest.json'), 'utf8').replace('police request', 'routine check');
    fs.writeFileSync(path.join(edited, 'manifest.json'), m);
    const e = await verifyBundle(edited);
    expect(e).toMatchObject({ ok: false, signature: 'invalid' });
    expect(e.problems[0]).toMatch(/manifest\.json: the signature does not verify/);

    const badSig = copy('badsig');
    const sig = fs.readFileSync(path.join(badSig, 'manifest.sig'));
    sig[0] = sig[0]! ^ 1;
    fs.writeFileSync(path.join(badSig, 'manifest.sig'), sig);
    expect(await verifyBundle(badSig)).toMatchObject({ ok: false, signature: 'invalid' });

    // a different key (even a valid signature by it) is not the key the manifest names
    const swapped = copy('swapped');
    const other = crypto.generateKeyPairSync('ed25519');
    fs.writeFileSync(path.join(swapped, 'public-key.pem'), other.publicKey.export({ type: 'spki', format: 'pem' }));
    fs.writeFileSync(path.join(swapped, 'manifest.sig'), crypto.sign(null, fs.readFileSync(path.join(swapped, 'manifest.json')), other.privateKey));
    const s = await verifyBundle(swapped, { siteKeys: readSitePublicKeys(dataDir) });
    expect(s).toMatchObject({ ok: false, signature: 'key-mismatch', siteKey: { status: 'unknown' } });
    expect(s.files.find((f) => f.path === 'public-key.pem')!.status).toBe('changed');

    const noManifest = copy('nomanifest');
    fs.rmSync(path.join(noManifest, 'manifest.json'));
    expect(await verifyBundle(noManifest)).toMatchObject({ ok: false, signature: 'missing-manifest' });
    expect((await verifyBundle(path.join(tmp, 'nowhere'))).problems[0]).toMatch(/does not exist/);
    expect((await verifyBundle(`${result.dir}.zip`)).problems[0]).toMatch(/unzip the export first/);
  });

  it('an export signed before a key rotation still verifies as this site', async () => {
    const dir = path.join(tmp, 'rotation');
    fs.mkdirSync(dir);
    fs.cpSync(result.dir, path.join(dir, 'old'), { recursive: true });
    keys.rotate();
    const r = await verifyBundle(path.join(dir, 'old'), { siteKeys: readSitePublicKeys(dataDir) });
    expect(r.ok).toBe(true);
    expect(r.siteKey).toMatchObject({ status: 'this-site', key: { current: false } });
  });

  it('refuses an existing target, a range without footage and a backwards range, and leaves nothing', async () => {
    const exports = path.join(tmp, 'exports');
    const before = fs.readdirSync(exports).sort();
    await expect(createExportBundle({ ...base, target: result.dir })).rejects.toMatchObject({ code: 'exists' });
    await expect(createExportBundle({ ...base, fromMs: T0 + 3600_000, toMs: T0 + 7200_000, target: path.join(exports, 'none') })).rejects.toMatchObject({
      code: 'no_footage',
      message: expect.stringMatching(/nothing was recorded between .* by Front door, Yard, Roof/),
    });
    await expect(createExportBundle({ ...base, fromMs: T0 + 7000, toMs: T0, target: path.join(exports, 'back') })).rejects.toMatchObject({ code: 'bad_range' });
    await expect(createExportBundle({ ...base, reason: ' ', target: path.join(exports, 'noreason') })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(
      createExportBundle({ ...base, cameras: [{ ...base.cameras[0]!, reencode: { masks: [[[0, 0], [2, 0], [0, 1]]] } }], target: path.join(exports, 'badmask') }),
    ).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/outside 0–1/) });
    expect(fs.readdirSync(exports).sort()).toEqual(before);
  });

  it('a cancel at any phase leaves nothing behind (no folder, no zip, no temp)', async () => {
    const phases = ['plan', 'copy', 'files', 'sign', 'zip'];
    for (const phase of phases) {
      const dir = fs.mkdtempSync(path.join(tmp, `cancel-${phase}-`));
      const ac = new AbortController();
      const seen: string[] = [];
      await expect(
        createExportBundle({
          ...base,
          target: path.join(dir, 'b'),
          zip: true,
          signal: ac.signal,
          onProgress: (p) => {
            seen.push(p.phase);
            if (p.phase === phase) ac.abort();
          },
        }),
      ).rejects.toMatchObject({ code: 'aborted' });
      expect(fs.readdirSync(dir), phase).toEqual([]);
    }
  });

  it('reports progress as one fraction from 0 to 1, and estimates the size before copying', async () => {
    const fr: number[] = [];
    const r = await createExportBundle({ ...base, target: path.join(tmp, 'progress', 'b'), onProgress: (p) => fr.push(p.fraction) });
    expect(fr[fr.length - 1]).toBe(1);
    expect(fr.every((x, i) => i === 0 || x >= fr[i - 1]! - 1e-9)).toBe(true);
    const est = await estimateExport({ ...base, target: path.join(tmp, 'x') });
    const videos = r.manifest.files.filter((f) => f.kind === 'video').reduce((a, f) => a + f.bytes, 0);
    expect(est.cameras.map((c) => c.noFootage)).toEqual([false, false, true]);
    expect(est.cameras.reduce((a, c) => a + c.bytes, 0)).toBe(videos);
    expect(est.freeBytes).toBeGreaterThan(0);
  });
});

describe('gaps of a camera inside the range', () => {
  const t = (s: number) => T0 + s * 1000;
  it('names holes by the index gaps, unreadable segments, else unknown; ignores seam jitter', () => {
    const covered = [
      { startMs: t(0), endMs: t(10) },
      { startMs: t(10.03), endMs: t(20) }, // 30 ms seam: not a gap
      { startMs: t(30), endMs: t(40) },
      { startMs: t(50), endMs: t(55) },
    ];
    const known = [{ startMs: t(20), endMs: t(25), reason: 'stall' }, { startMs: t(25), endMs: t(30), reason: 'engine_down' }];
    const skipped = [{ segment: { path: '/x.mp4', startMs: t(40), endMs: t(45) }, reason: 'file_missing' as const, detail: 'ENOENT' }];
    const g = cameraGaps(t(5), t(60), covered, known, skipped, 65);
    expect(g).toEqual([
      { start: new Date(t(20)).toISOString(), end: new Date(t(25)).toISOString(), seconds: 5, reason: 'stall' },
      { start: new Date(t(25)).toISOString(), end: new Date(t(30)).toISOString(), seconds: 5, reason: 'engine_down' },
      { start: new Date(t(40)).toISOString(), end: new Date(t(45)).toISOString(), seconds: 5, reason: 'file_missing', detail: 'ENOENT' },
      { start: new Date(t(45)).toISOString(), end: new Date(t(50)).toISOString(), seconds: 5, reason: 'unknown' },
      { start: new Date(t(55)).toISOString(), end: new Date(t(60)).toISOString(), seconds: 5, reason: 'unknown' },
    ]);
  });
  it('an open gap at the end of the range stays marked open', () => {
    const g = cameraGaps(t(0), t(60), [{ startMs: t(0), endMs: t(30) }], [{ startMs: t(30), endMs: t(60), reason: 'camera_unreachable', open: true }], [], 65);
    expect(g).toEqual([{ start: new Date(t(30)).toISOString(), end: new Date(t(60)).toISOString(), seconds: 30, reason: 'camera_unreachable', open: true }]);
  });
});
