/**
 * Enrol a face picked on an event (people.enrolFromEvent), in the real engine
 * with the real face models and a real SQLite index and sealed crop store.
 *
 * A camera "saw" a face: the real worker analyses a frame made from another
 * photo of A (cage2_crop.jpg, shrunk to a door camera's size), the crop and its
 * descriptor are kept with FaceStore.addCrop and the object event carries
 * `data.face` as the face wiring writes it (the wiring itself is covered by
 * faces-engine.test.ts). An admin enrols A from that event; A's own portrait
 * (cage.jpg) then matches A. Refusals say what to do: an event with no face, a
 * crop removed by the retention sweep, a face too small, a poor face, no event.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '../fixtures/media.js';
import { startEngine, tempDir, type TestEngine } from './alarms-support.js';
import { cliArgs } from './recording-harness.js';
import { PHOTOS_MISSING, clm } from './faces-photos.js';

let dir: string;
let t: TestEngine;
const call = <T,>(method: string, params: unknown = {}, token = t.token) => t.engine.handle(method, params, { token, peer: 'test' }) as Promise<T>;

async function apiError(p: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code: string; status: number; message: string };
    return { code: e.code, status: e.status, message: e.message };
  }
  throw new Error('expected an API error');
}

describe.skipIf(!!PHOTOS_MISSING)('enrol a face from an event (real models, SQLite, sealed crops)', () => {
  const svc = () => t.engine.faces!.service;
  const cam = 'cam-door';

  /** What the face wiring keeps for a person track: a sealed crop with its descriptor, and the object event's data.face. */
  async function seen(file: string, o: { widthPx: number; ageDays?: number; quality?: number; sizePx?: number; reason?: string | null } = { widthPx: 320 }): Promise<{ eventId: number; cropId: string }> {
    const frame = await sharp(file).resize(o.widthPx).jpeg().toBuffer();
    const found = await svc().findPhotoFaces(frame);
    const f = found.faces[0]!;
    const timeMs = Date.now() - (o.ageDays ?? 0) * 86_400_000;
    const crop = svc().store.addCrop({ cameraId: cam, timeMs, trackId: '7', personId: null, distance: null, quality: o.quality ?? f.quality.score, descriptor: f.descriptor, jpeg: f.thumbnail });
    const face = { personId: null, name: null, groups: [], distance: null, reason: o.reason === undefined ? 'empty-gallery' : o.reason, quality: o.quality ?? f.quality.score, sizePx: o.sizePx ?? f.sizePx, cropId: crop.id };
    const r = t.engine.db
      .prepare("INSERT INTO events (camera_id, time_ms, kind, source, data) VALUES (?, ?, 'object', 'detector', ?)")
      .run(cam, timeMs, JSON.stringify({ label: 'person', trackId: 7, score: 0.9, face }));
    return { eventId: Number(r.lastInsertRowid), cropId: crop.id };
  }

  beforeAll(async () => {
    dir = tempDir('faces-enrol-event');
    t = await startEngine(path.join(dir, 'data'), { http: false });
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('enrols A from the face a camera saw; A\'s own portrait then matches A; audited as faces.enrol (source event)', async () => {
    const a = await call<{ id: string }>('people.add', { name: 'Nicolas Cage', badges: ['B-1001'] });
    const ev = await seen(clm('cage2_crop.jpg'), { widthPx: 320 });
    const r = await call<{ person: { enrolments: { source: string; grade: string }[] }; enrolment: { id: string; source: string; quality: number; sizePx: number }; eventId: number; cropId: string; cameraId: string }>(
      'people.enrolFromEvent',
      { person: 'nicolas cage', eventId: ev.eventId },
    );
    expect(r).toMatchObject({ eventId: ev.eventId, cropId: ev.cropId, cameraId: cam });
    expect(r.enrolment.source).toBe('event');
    expect(r.enrolment.sizePx).toBeGreaterThanOrEqual(40);
    expect(r.person.enrolments).toHaveLength(1);
    const img = await call<{ dataUrl: string }>('people.getEnrolmentImage', { enrolmentId: r.enrolment.id });
    expect(img.dataUrl).toMatch(/^data:image\/jpeg;base64,/);

    // another photo of A (the portrait) is matched to A through the enrolment taken from the event
    const portrait = await svc().findPhotoFaces(fs.readFileSync(clm('cage.jpg')));
    const f = portrait.faces[0]!;
    const m = svc().match({ descriptor: f.descriptor, quality: f.quality });
    expect(m.match).toBe(true);
    expect(m.match && m.personId).toBe(a.id);
    // someone else is not
    const other = await svc().findPhotoFaces(fs.readFileSync(clm('obama4_crop.jpg')));
    const o = other.faces[0]!;
    expect(svc().match({ descriptor: o.descriptor, quality: o.quality }).match).toBe(false);

    const audit = t.engine.audit!.trail.list({ action: 'faces.enrol' }, null, 10).items;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ source: 'event', eventId: ev.eventId, cropId: ev.cropId, name: 'Nicolas Cage' });
    expect(JSON.stringify(audit[0])).not.toMatch(/base64|\/9j\//);
  }, 120_000);

  it('refuses with a message that says what to do', async () => {
    await call('people.add', { name: 'Bob Visitor' });
    // no such event
    const none = await apiError(call('people.enrolFromEvent', { person: 'Bob Visitor', eventId: 999_999 }));
    expect(none).toMatchObject({ code: 'not_found', status: 404 });
    // an event with no face (a motion event)
    const motion = Number(t.engine.db.prepare("INSERT INTO events (camera_id, time_ms, kind, source, data) VALUES (?, ?, 'motion', 'onvif', '{}')").run(cam, Date.now()).lastInsertRowid);
    const noFace = await apiError(call('people.enrolFromEvent', { person: 'Bob Visitor', eventId: motion }));
    expect(noFace).toMatchObject({ status: 400 });
    expect(noFace.message).toMatch(/has no face/);
    // the crop was removed by the retention sweep (unknown faces: 7 days)
    const old = await seen(clm('obama4_crop.jpg'), { widthPx: 320, ageDays: 10 });
    expect(svc().sweep()?.unknownCrops).toBeGreaterThanOrEqual(1);
    const gone = await apiError(call('people.enrolFromEvent', { person: 'Bob Visitor', eventId: old.eventId }));
    expect(gone).toMatchObject({ status: 404 });
    expect(gone.message).toMatch(/no longer kept \(unknown faces are kept 7 days/);
    // a face too small to enrol, and a poor one
    const small = await seen(clm('obama4_crop.jpg'), { widthPx: 320, sizePx: 22, reason: 'too-small' });
    expect((await apiError(call('people.enrolFromEvent', { person: 'Bob Visitor', eventId: small.eventId }))).message).toMatch(/22 px wide; enrolling needs at least 40 px/);
    const poor = await seen(clm('obama4_crop.jpg'), { widthPx: 320, quality: 0.12 });
    expect((await apiError(call('people.enrolFromEvent', { person: 'Bob Visitor', eventId: poor.eventId }))).message).toMatch(/too poor to enrol \(quality 0\.12/);
    // nothing was enrolled for Bob, and no person is invented
    const people = await call<{ name: string; enrolments: unknown[] }[]>('people.list');
    expect(people.find((p) => p.name === 'Bob Visitor')!.enrolments).toEqual([]);
    expect((await apiError(call('people.enrolFromEvent', { person: 'Nobody', eventId: poor.eventId }))).status).toBe(404);
  }, 120_000);

  it('gatehouse people enrol NAME --event ID does the same from the command line, audited as os:<login>', async () => {
    const run = promisify(execFile);
    const cli = async (...args: string[]) => {
      try {
        const r = await run(process.execPath, cliArgs(...args, '--data', path.join(dir, 'data')), { cwd: repoRoot });
        return { code: 0, out: r.stdout + r.stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, out: e.stdout + e.stderr };
      }
    };
    const ev = await seen(clm('obama4_crop.jpg'), { widthPx: 320 });
    const ok = await cli('people', 'enrol', 'Bob Visitor', '--event', String(ev.eventId));
    expect(ok.out).toMatch(new RegExp(`Event ${ev.eventId}: enrolled "Bob Visitor" \\(face \\d+ px wide, quality 0\\.\\d\\d`));
    expect(ok.code).toBe(0);
    const people = await call<{ name: string; enrolments: { source: string }[] }[]>('people.list');
    expect(people.find((p) => p.name === 'Bob Visitor')!.enrolments.map((e) => e.source)).toEqual(['event']);
    const rows = t.engine.audit!.trail.list({ action: 'faces.enrol' }, null, 10).items.filter((r) => r.details.via === 'cli');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actor).toMatch(/^os:/);
    const bad = await cli('people', 'enrol', 'Bob Visitor', '--event', '999999');
    expect(bad.code).toBe(3);
    expect(bad.out).toMatch(/no event 999999/);
    expect((await cli('people', 'enrol', 'Bob Visitor', '--event', 'x')).out).toMatch(/not an event id/);
  }, 120_000);
});
