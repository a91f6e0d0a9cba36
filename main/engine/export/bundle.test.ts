import { execFileSync } from 'node:child_process';
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
import { verifyBundle, type VerifyResult } from './verify.js';
import { writeZip } from './zip.js';
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
    expect((await verifyBundle(path.join(result.dir, 'manifest.json'))).problems[0]).toMatch(/is neither an export folder nor an export's \.zip/);
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

describe('verifying a .zip in place', () => {
  const zdir = path.join(tmp, 'zips');
  const bundleFiles = (d: string, rel = ''): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? bundleFiles(path.join(d, e.name), `${rel}${e.name}/`) : [`${rel}${e.name}`]));
  /** A folder's bundle as our writer zips it: under `top/` (or at the root), video stored, text deflated. */
  const ourZip = async (dir: string, name: string, o: { top?: string | null; zip64?: boolean; add?: { name: string; data: string }[] } = {}) => {
    fs.mkdirSync(zdir, { recursive: true });
    const out = path.join(zdir, name);
    const top = o.top === undefined ? `${path.basename(dir)}/` : o.top ? `${o.top}/` : '';
    const entries = bundleFiles(dir).map((rel) => ({ name: `${top}${rel}`, file: path.join(dir, rel), compress: !rel.endsWith('.mp4') }));
    for (const a of o.add ?? []) {
      const f = path.join(zdir, `add-${crypto.randomUUID()}`);
      fs.writeFileSync(f, a.data);
      entries.push({ name: a.name, file: f, compress: false });
    }
    await writeZip(out, entries, { zip64Threshold: o.zip64 ? 1000 : undefined });
    return out;
  };
  /** Python's zipfile (an independent writer): [name, file or null (a folder entry) or inline text]. */
  const pyZip = (out: string, entries: [string, { file: string } | { text: string } | null][], deflated: boolean) => {
    const script = `
import json, sys, zipfile, warnings
warnings.simplefilter('ignore')
out, entries, deflated = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == '1'
c = zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED
with zipfile.ZipFile(out, 'w', compression=c) as z:
    for name, src in entries:
        if src is None:
            z.writestr(zipfile.ZipInfo(name), b'')
        elif 'file' in src:
            z.write(src['file'], name)
        else:
            z.writestr(name, src['text'])
`;
    execFileSync('python3', ['-c', script, out, JSON.stringify(entries), deflated ? '1' : '0']);
    return out;
  };
  const notOk = (r: VerifyResult) =>
    r.files
      .filter((f) => f.status !== 'ok')
      .map((f) => `${f.status} ${f.path}`)
      .sort();
  const copy = (name: string) => {
    const d = path.join(tmp, 'ztamper', name);
    fs.cpSync(result.dir, d, { recursive: true });
    return d;
  };

  it("our writer's zip (a top folder, stored video, deflated text) verifies like the folder, in place", async () => {
    expect(result.zip).toBe(`${result.dir}.zip`);
    let last = 0;
    let total = 0;
    const r = await verifyBundle(result.zip!, {
      siteKeys: readSitePublicKeys(dataDir),
      onProgress: (d, t) => {
        last = d;
        total = t;
      },
    });
    expect(r).toMatchObject({ ok: true, signature: 'valid', problems: [], siteKey: { status: 'this-site' }, manifestSha256: result.manifestSha256, dir: result.zip });
    const folder = await verifyBundle(result.dir);
    expect(r.files).toEqual(folder.files);
    expect(r.fingerprint).toBe(folder.fingerprint);
    expect(r.manifest).toEqual(folder.manifest);
    expect(last).toBe(total);
    expect(total).toBe(manifestOf(result.dir).files.reduce((a, f) => a + f.bytes, 0));
    // nothing was unzipped beside it
    expect(fs.readdirSync(path.dirname(result.dir)).sort()).toEqual(['case-1', 'case-1.zip']);
    // a cancel stops it like a folder's check
    await expect(verifyBundle(result.zip!, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'aborted' });
  });

  it('ZIP64 records (zip64Threshold) and a bundle at the root of the zip verify too', async () => {
    expect(await verifyBundle(await ourZip(result.dir, 'zip64.zip', { zip64: true }))).toMatchObject({ ok: true, signature: 'valid', problems: [] });
    expect(await verifyBundle(await ourZip(result.dir, 'root64.zip', { top: null, zip64: true }))).toMatchObject({ ok: true, signature: 'valid', problems: [] });
  });

  it('zips made by other tools verify: `zip -r` (folder entries) and Python zipfile, stored and deflated', async () => {
    let tool = false;
    try {
      execFileSync('zip', ['-v'], { stdio: 'ignore' });
      tool = true;
    } catch {
      /* no zip tool: Python below still runs */
    }
    const made: string[] = [];
    if (tool) {
      const top = path.join(zdir, 'tool-top.zip');
      execFileSync('zip', ['-r', '-q', top, path.basename(result.dir)], { cwd: path.dirname(result.dir) });
      const root = path.join(zdir, 'tool-root.zip');
      execFileSync('zip', ['-r', '-q', root, '.'], { cwd: result.dir });
      made.push(top, root);
    }
    const entries = bundleFiles(result.dir).map((rel) => [`case-1/${rel}`, { file: path.join(result.dir, rel) }] as [string, { file: string }]);
    const dirs: [string, null][] = [['case-1/', null], ['case-1/video/', null], ['case-1/data/', null]];
    made.push(pyZip(path.join(zdir, 'py-stored.zip'), [...dirs, ...entries], false));
    made.push(pyZip(path.join(zdir, 'py-deflated.zip'), [...dirs, ...entries], true));
    made.push(pyZip(path.join(zdir, 'py-root.zip'), entries.map(([n, f]) => [n.slice('case-1/'.length), f]), true));
    for (const z of made) expect(await verifyBundle(z), z).toMatchObject({ ok: true, signature: 'valid', problems: [] });
  });

  it('names a changed, a missing and an extra file, with the same words as for the folder', async () => {
    const d = copy('flip');
    const buf = fs.readFileSync(path.join(d, 'video/yard.mp4'));
    buf[buf.length - 10] = buf[buf.length - 10]! ^ 0xff;
    fs.writeFileSync(path.join(d, 'video/yard.mp4'), buf);
    fs.rmSync(path.join(d, 'data/events.csv'));
    fs.writeFileSync(path.join(d, 'video/extra.mp4'), 'x');
    const folder = await verifyBundle(d);
    const z = await verifyBundle(await ourZip(d, 'flip.zip'));
    expect(z).toMatchObject({ ok: false, signature: 'valid' });
    expect(notOk(z)).toEqual(['changed video/yard.mp4', 'extra video/extra.mp4', 'missing data/events.csv']);
    expect(z.problems).toEqual(folder.problems);
    expect(z.files).toEqual(folder.files);
    // an entry added outside the bundle's folder is extra too
    const outside = await verifyBundle(await ourZip(result.dir, 'outside.zip', { add: [{ name: 'notes.txt', data: 'hello' }] }));
    expect(outside.ok).toBe(false);
    expect(outside.problems).toEqual(["notes.txt: extra file (outside the bundle's folder case-1/ in the zip)"]);
  });

  it('a byte changed inside the MP4 entry of the zip itself: that file is changed (SHA-256 and CRC-32)', async () => {
    const zip = path.join(zdir, 'byte.zip');
    fs.copyFileSync(result.zip!, zip);
    const buf = fs.readFileSync(zip);
    const name = Buffer.from('case-1/video/yard.mp4');
    const local = buf.indexOf(name) - 30; // the first occurrence is the local header's
    expect(buf.readUInt32LE(local)).toBe(0x04034b50);
    const data = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    buf[data + 500] = buf[data + 500]! ^ 0x01;
    fs.writeFileSync(zip, buf);
    const r = await verifyBundle(zip);
    expect(r).toMatchObject({ ok: false, signature: 'valid' });
    expect(notOk(r)).toEqual(['changed video/yard.mp4']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^video\/yard\.mp4: changed \(its SHA-256 differs from the manifest; its CRC-32 is not the one in the zip's directory/);
  });

  it('a tampered manifest does not verify; a zip without a manifest says nothing can be checked', async () => {
    const d = copy('edited');
    fs.writeFileSync(path.join(d, 'manifest.json'), fs.readFileSync(path.join(d, 'manifest.json'), 'utf8').replace('police request', 'routine check'));
    const e = await verifyBundle(await ourZip(d, 'edited.zip'));
    expect(e).toMatchObject({ ok: false, signature: 'invalid' });
    expect(e.problems).toEqual(['manifest.json: the signature does not verify (manifest.json or manifest.sig was changed)']);
    const n = copy('nomanifest');
    fs.rmSync(path.join(n, 'manifest.json'));
    const m = await verifyBundle(await ourZip(n, 'nomanifest.zip'));
    expect(m).toMatchObject({ ok: false, signature: 'missing-manifest' });
    expect(m.problems[0]).toBe('manifest.json is missing: nothing in this zip can be checked');
    expect(m.files.find((f) => f.path === 'video/yard.mp4')).toMatchObject({ status: 'extra' });
  });

  it('a cut-short zip is a clear problem, not a throw', async () => {
    const buf = fs.readFileSync(result.zip!);
    for (const keep of [buf.length - 7, Math.floor(buf.length / 2)]) {
      const f = path.join(zdir, `cut-${keep}.zip`);
      fs.writeFileSync(f, buf.subarray(0, keep));
      const r = await verifyBundle(f);
      expect(r).toMatchObject({ ok: false, signature: 'missing-manifest', files: [] });
      expect(r.problems).toEqual([expect.stringMatching(/cut-\d+\.zip cannot be read as a zip: no end of central directory record at its end \(the zip is damaged or cut short/)]);
    }
  });

  it('unsafe names ("..", a leading "/", backslashes) and a name stored twice are problems, never paths', async () => {
    const entries = bundleFiles(result.dir).map((rel) => [rel, { file: path.join(result.dir, rel) }] as [string, { file: string } | { text: string }]);
    const z = pyZip(
      path.join(zdir, 'evil.zip'),
      [...entries, ['../evil', { text: 'x' }], ['/etc/evil', { text: 'x' }], ['video\\evil.mp4', { text: 'x' }], ['video/yard.mp4', { text: 'not the video' }]],
      true,
    );
    const r = await verifyBundle(z);
    expect(r).toMatchObject({ ok: false, signature: 'valid' });
    expect(r.problems.sort()).toEqual(
      [
        '../evil: extra file (an unsafe name in the zip: it has ".."; it is never used as a path)',
        '/etc/evil: extra file (an unsafe name in the zip: it starts with "/"; it is never used as a path)',
        'video\\evil.mp4: extra file (an unsafe name in the zip: it has a backslash; it is never used as a path)',
        'video/yard.mp4: changed (stored 2 times in the zip (an unzip tool keeps only one of them))',
      ].sort(),
    );
    expect(fs.existsSync(path.join(tmp, 'evil'))).toBe(false);
    expect(fs.existsSync(path.join(zdir, '..', 'evil'))).toBe(false);
  });

  it('an entry it cannot read (another method) is changed, with the reason', async () => {
    const zip = path.join(zdir, 'method.zip');
    fs.copyFileSync(result.zip!, zip);
    const buf = fs.readFileSync(zip);
    const name = Buffer.from('case-1/README.txt');
    const local = buf.indexOf(name) - 30;
    const central = buf.indexOf(name, local + 31) - 46;
    expect(buf.readUInt32LE(central)).toBe(0x02014b50);
    buf.writeUInt16LE(12, local + 8);
    buf.writeUInt16LE(12, central + 10);
    fs.writeFileSync(zip, buf);
    const r = await verifyBundle(zip);
    expect(notOk(r)).toEqual(['changed README.txt']);
    expect(r.problems[0]).toMatch(/^README\.txt: changed \(compressed with method 12 \(bzip2\), which this check cannot read/);
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
