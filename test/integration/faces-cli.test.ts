/**
 * `gatehouse faces` and `gatehouse people` as a user runs them (the CLI
 * through tsx, in a child process, the real face models in its worker
 * thread): add, enrol from photos (bad photos get a clear message and exit
 * 2; a group photo lists the faces and how to pick one), list, faces on/off
 * per camera and the status, forget (prints what it removed). Every change is
 * in the audit trail as os:<login>, never with the photo.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../fixtures/media.js';
import { cli, cliArgs, prepareDataDir, tempDir } from './recording-harness.js';
import { PHOTOS_MISSING, clm, demo } from './faces-photos.js';

const run = promisify(execFile);
let dir: string;
let data: string;

async function cliFail(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, cliArgs(...args), { cwd: repoRoot });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe.skipIf(!!PHOTOS_MISSING)('faces and people from the command line', () => {
  beforeAll(async () => {
    dir = tempDir('faces-cli');
    data = path.join(dir, 'data');
    await prepareDataDir(data, {}, [{ name: 'Front door', url: 'rtsp://127.0.0.1:9/none' }]);
  }, 60_000);
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('adds, enrols (clear messages for bad photos), lists, turns faces on, forgets; audited as the CLI user', async () => {
    expect(await cli('people', 'add', '--name', 'Nicolas Cage', '--badge', 'B-1001', '--group', 'staff', '--data', data)).toMatch(/Added "Nicolas Cage"/);
    expect((await cliFail('people', 'add', '--name', 'nicolas cage', '--data', data)).out).toMatch(/already a person called/);
    expect((await cliFail('people', 'add', '--name', 'X', '--group', 'vip', '--data', data)).out).toMatch(/--group: "vip" is not a group; use staff, visitor, watchlist/);

    const corrupt = path.join(dir, 'corrupt.jpg');
    fs.writeFileSync(corrupt, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3, 4, 5]));
    const tiny = path.join(dir, 'tiny.jpg');
    await sharp(clm('cage.jpg')).resize(60).jpeg().toFile(tiny);
    const group = path.join(dir, 'group.jpg');
    await sharp(demo(1)).resize(1600).jpeg().toFile(group);
    const c = await cliFail('people', 'enrol', 'Nicolas Cage', '--image', corrupt, '--data', data);
    expect(c.code).toBe(2);
    expect(c.out).toMatch(/corrupt\.jpg: .*(JPEG|PNG|WebP|image|picture)/i);
    const t = await cliFail('people', 'enrol', 'Nicolas Cage', '--image', tiny, '--data', data);
    expect(t.code).toBe(2);
    expect(t.out).toMatch(/tiny\.jpg: .*(px wide|no face)/);
    const g = await cliFail('people', 'enrol', 'Nicolas Cage', '--image', group, '--data', data);
    expect(g.code).toBe(2);
    expect(g.out).toMatch(/faces; say which one/);
    expect(g.out).toMatch(/FACE/);
    expect(g.out).toMatch(/--face N/);
    expect((await cliFail('people', 'enrol', 'Nobody', '--image', group, '--data', data)).out).toMatch(/no person called "Nobody"; add them first/);

    const ok = await cli('people', 'enrol', 'Nicolas Cage', '--image', clm('cage.jpg'), '--image', clm('cage2_crop.jpg'), '--data', data);
    expect(ok.match(/enrolled "Nicolas Cage"/g)).toHaveLength(2);
    const list = JSON.parse(await cli('people', 'list', '--json', '--data', data)) as { name: string; badges: string[]; enrolments: { grade: string }[] }[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: 'Nicolas Cage', badges: ['B-1001'] });
    expect(list[0]!.enrolments).toHaveLength(2);
    expect(await cli('people', 'list', '--data', data)).toMatch(/Nicolas Cage\s+B-1001\s+staff\s+2/);

    expect((await cliFail('faces', 'set', 'Front door', '--data', data)).out).toMatch(/give --on or --off/);
    expect(await cli('faces', 'set', 'Front door', '--on', '--data', data)).toMatch(/Face recognition on "Front door": on/);
    const cfg = JSON.parse(fs.readFileSync(path.join(data, 'config.json'), 'utf8')) as { cameras: { name: string; faces?: { enabled?: boolean } }[] };
    expect(cfg.cameras[0]!.faces).toEqual({ enabled: true });
    const st = JSON.parse(await cli('faces', 'status', '--json', '--data', data)) as { running: boolean; people: number; enrolments: number; cameras: { name: string; enabled: boolean }[] };
    expect(st).toMatchObject({ running: false, people: 1, enrolments: 2 });
    expect(st.cameras[0]).toMatchObject({ name: 'Front door', enabled: true });

    expect(await cli('faces', 'search', '--person', 'Nicolas Cage', '--data', data)).toMatch(/Not seen \(Nicolas Cage\)/);
    const pick = await cliFail('faces', 'search', '--image', group, '--data', data);
    expect(pick.code).toBe(2);
    expect(pick.out).toMatch(/faces; say which one to search for/);
    expect(JSON.parse(await cli('faces', 'search', '--image', clm('cage2_crop.jpg'), '--json', '--data', data))).toMatchObject({ hits: [], searched: 0 });

    const forget = await cli('people', 'forget', 'Nicolas Cage', '--data', data);
    expect(forget).toMatch(/Forgot "Nicolas Cage" \(p_[a-z0-9]+\): 2 enrolled face\(s\), 0 face crop\(s\), 2 file\(s\)/);
    expect(forget).toMatch(/deleted faces\/enrol\//);
    expect(fs.readdirSync(path.join(data, 'faces', 'enrol'))).toEqual([]);
    expect(JSON.parse(await cli('people', 'list', '--json', '--data', data))).toEqual([]);
    expect((await cliFail('people', 'forget', 'Nicolas Cage', '--data', data)).code).toBe(3);

    const audit = JSON.parse(await cli('audit', 'list', '--json', '--data', data)) as { items?: { actor: string; action: string; details: unknown }[] } | { actor: string; action: string; details: unknown }[];
    const rows = Array.isArray(audit) ? audit : (audit.items ?? []);
    const actions = rows.map((r) => r.action);
    for (const a of ['people.add', 'faces.enrol', 'faces.setEnabled', 'faces.forget', 'faces.search']) expect(actions).toContain(a);
    expect(actions.filter((a) => a === 'faces.search')).toHaveLength(2);
    expect(actions.filter((a) => a === 'faces.enrol')).toHaveLength(2);
    for (const r of rows.filter((x) => x.action.startsWith('faces.') || x.action.startsWith('people.'))) {
      expect(r.actor).toMatch(/^os:/);
      expect(JSON.stringify(r.details)).not.toMatch(/\/9j\/|base64/);
    }
  }, 240_000);
});
