/**
 * Face recognition wired into the engine, with real parts: the real face and
 * person models in worker threads, real ffmpeg, the GStreamer RTSP fixture,
 * a real mosquitto and a real SQLite index.
 *
 * Person A (Nicolas Cage) is enrolled from one photo over the API. Two
 * cameras: "Door A" shows a mirrored, cropped, brighter copy of A's photo
 * panning on a grey wall; "Door B" shows another man (B). Each clip has a few
 * seconds of empty wall, so each pass is a person track that ends.
 *
 * - A's camera: a face match that names A; B's camera: faces that never name A.
 * - Bad photos: clear 400s (corrupt, no face, several faces, tiny face).
 * - Badge × face: badge.granted over MQTT for A's badge at a door mapped to
 *   B's camera → one access.mismatch alarm with both images; mapped to A's
 *   camera → none.
 * - people.forget A: descriptors, photos and crops gone from disk and index,
 *   the events scrubbed, an audit row.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { EventMap } from '../../main/api/contract.js';
import { setDoor } from '../../main/engine/integrations/setup.js';
import { ffmpegPath } from '../fixtures/media.js';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import { mqttClient, publish, startBroker, startEngine, tempDir, waitFor, type Broker, type TestEngine } from './alarms-support.js';
import { PHOTOS_MISSING, clm, demo } from './faces-photos.js';

const FACE_SECONDS = 8;
const WALL_SECONDS = 8;

/** A 640×480, 10 fps H.264 clip: the photo panning slowly on a grey wall, then the empty wall. */
function makeClip(photo: string, out: string, extra: string): void {
  const total = FACE_SECONDS + WALL_SECONDS;
  const r = spawnSync(
    ffmpegPath(),
    [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-loop', '1', '-framerate', '10', '-t', String(FACE_SECONDS), '-i', photo,
      '-f', 'lavfi', '-i', `color=c=0x808080:s=640x480:r=10:d=${total}`,
      '-filter_complex',
      `[0:v]${extra}scale=-2:400,setsar=1[p];[1:v][p]overlay=x='60+t*8':y=20:eof_action=pass,format=yuv420p[v]`,
      '-map', '[v]', '-t', String(total), '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline', '-g', '10', '-bf', '0', '-movflags', '+faststart',
      out,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not make ${out}: ${r.stderr}`);
}

let dir: string;
let broker: Broker;
let pub: MqttClient;
let rtsp: RtspFixture;
let t: TestEngine;
let camA: string;
let camB: string;
let personA: string;
const matches: EventMap['faces.match'][] = [];
const call = <T,>(method: string, params: unknown = {}) => t.engine.handle(method, params, { token: t.token, peer: 'test' }) as Promise<T>;
const b64 = (file: string) => fs.readFileSync(file).toString('base64');

async function apiError(p: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code: string; status: number; message: string };
    return { code: e.code, status: e.status, message: e.message };
  }
  throw new Error('expected an API error');
}

describe.skipIf(!!PHOTOS_MISSING)('face recognition in the engine (real models, RTSP, mosquitto)', () => {
  beforeAll(async () => {
    // every frame inferred: a person who leaves a still picture ends their track within seconds (with the
    // motion gate, a still wall is only looked at every few seconds and the track would outlast the clip's gap)
    process.env.GATEHOUSE_DETECTION_GATE = 'off';
    dir = tempDir('faces-engine');
    const clipA = path.join(dir, 'door-a.mp4');
    const clipB = path.join(dir, 'door-b.mp4');
    const srcA = path.join(dir, 'a.png');
    // a different crop of A's photo, mirrored and brighter
    const meta = await sharp(clm('cage.jpg')).metadata();
    await sharp(clm('cage.jpg'))
      .extract({ left: 30, top: 40, width: meta.width! - 60, height: meta.height! - 100 })
      .flop()
      .modulate({ brightness: 1.2 })
      .png()
      .toFile(srcA);
    makeClip(srcA, clipA, '');
    // the enrolment photo is cage.jpg itself; the camera shows this other crop, mirrored and brighter
    makeClip(clm('obama4_crop.jpg'), clipB, '');
    rtsp = await startRtspServer({ mounts: { '/door-a': { file: clipA }, '/door-b': { file: clipB } } });
    broker = await startBroker();
    pub = await mqttClient(broker.url);
    t = await startEngine(path.join(dir, 'data'), { mqttUrl: broker.url, http: false });
    await waitFor('MQTT connected', () => t.engine.integrations!.status().mqtt.connected);
    t.engine.bus.on('faces.match', (m) => matches.push(m));
  }, 240_000);

  afterAll(async () => {
    delete process.env.GATEHOUSE_DETECTION_GATE;
    pub?.end(true);
    await t?.stop();
    await rtsp?.close();
    await broker?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('enrols A from a photo over the API, and refuses bad photos with clear 400s', async () => {
    const a = await call<{ id: string; name: string }>('people.add', { name: 'Nicolas Cage', badges: ['B-1001'], groups: ['staff'] });
    personA = a.id;
    const r = await call<{ enrolment: { grade: string; quality: number }; facesInPhoto: number }>('people.enrol', { person: 'nicolas cage', image: b64(clm('cage.jpg')) });
    expect(r.facesInPhoto).toBe(1);
    expect(r.enrolment.grade).toBe('good');

    const corrupt = await apiError(call('people.enrol', { person: a.id, image: Buffer.from('this is not a picture at all').toString('base64') }));
    expect(corrupt).toMatchObject({ code: 'bad_request', status: 400 });
    expect(corrupt.message).toMatch(/JPEG|PNG|WebP|image|picture/i);
    const wall = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#888' } }).jpeg().toBuffer();
    const none = await apiError(call('people.enrol', { person: a.id, image: wall.toString('base64') }));
    expect(none).toMatchObject({ status: 400 });
    expect(none.message).toMatch(/no face/);
    const group = await apiError(call('people.enrol', { person: a.id, image: (await sharp(demo(1)).resize(1600).jpeg().toBuffer()).toString('base64') }));
    expect(group).toMatchObject({ status: 400 });
    expect(group.message).toMatch(/faces; say which one/);
    const found = await call<{ faces: { index: number; usable: boolean; thumbnail: string }[] }>('people.findFaces', { image: (await sharp(demo(1)).resize(1600).jpeg().toBuffer()).toString('base64') });
    expect(found.faces.filter((f) => f.usable).length).toBeGreaterThan(1);
    expect(found.faces[0]!.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    const tiny = await apiError(call('people.enrol', { person: a.id, image: (await sharp(clm('cage.jpg')).resize(60).jpeg().toBuffer()).toString('base64') }));
    expect(tiny).toMatchObject({ status: 400 });
    expect(tiny.message).toMatch(/px wide|no face/);

    const list = await call<{ name: string; enrolments: unknown[] }[]>('people.list');
    expect(list).toHaveLength(1);
    expect(list[0]!.enrolments).toHaveLength(1);
    const audit = t.engine.audit!.trail.list({ action: 'faces.enrol' }, null, 10).items;
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0])).not.toMatch(/base64|\/9j\//);
  }, 120_000);

  it('recognises A on the camera showing A; never names A on the camera showing B', async () => {
    const a = await call<{ id: string }>('cameras.add', { name: 'Door A', url: rtsp.url('/door-a') });
    const b = await call<{ id: string }>('cameras.add', { name: 'Door B', url: rtsp.url('/door-b') });
    camA = a.id;
    camB = b.id;
    for (const id of [camA, camB]) {
      await call('detection.setEnabled', { cameraId: id, enabled: true });
      const st = await call<{ enabled: boolean }>('faces.setEnabled', { cameraId: id, enabled: true });
      expect(st.enabled).toBe(true);
    }
    const hitA = await waitFor('a face match naming A on Door A', () => matches.find((m) => m.cameraId === camA && m.personId === personA), 180_000, 250);
    expect(hitA.name).toBe('Nicolas Cage');
    expect(hitA.distance).toBeLessThanOrEqual(0.5);
    expect(hitA.cropId).toBeTruthy();
    await waitFor('faces analysed on Door B', () => matches.filter((m) => m.cameraId === camB && m.distance !== null).length >= 1, 120_000, 250);
    expect(matches.filter((m) => m.cameraId === camB && m.personId === personA)).toEqual([]);
    // the object event of a person track carries the match
    const withFace = t.engine.db
      .prepare("SELECT data FROM events WHERE kind = 'object' AND camera_id = ? AND json_extract(data, '$.face.personId') IS NOT NULL")
      .all(camA) as { data: string }[];
    for (const row of withFace) expect(JSON.parse(row.data).face.name).toBe('Nicolas Cage');
    const st = await call<{ cameras: { cameraId: string; enabled: boolean; analysed: number; capability: { state: string } }[] }>('faces.status');
    const sa = st.cameras.find((c) => c.cameraId === camA)!;
    expect(sa.enabled).toBe(true);
    expect(sa.analysed).toBeGreaterThan(0);
    const search = await call<{ hits: { cameraId: string }[] }>('faces.search', { person: 'Nicolas Cage' });
    expect(search.hits.some((h) => h.cameraId === camA)).toBe(true);
    // by an uploaded photo: another photo of A finds A's sightings on Door A, none on Door B
    const byPhoto = await call<{ hits: { cameraId: string; distance: number }[]; searched: number }>('faces.searchPhoto', { image: b64(clm('cage2_crop.jpg')) });
    expect(byPhoto.hits.length).toBeGreaterThan(0);
    expect(byPhoto.hits.every((h) => h.cameraId === camA && h.distance <= 0.5)).toBe(true);
    const searches = t.engine.audit!.trail.list({ action: 'faces.search' }, null, 10).items;
    expect(searches.map((r) => r.details.by).sort()).toEqual(['person', 'photo']);
  }, 360_000);

  it('badge × face over MQTT: A\'s badge while the door camera shows B → one access.mismatch; while it shows A → none', async () => {
    const mismatches = () => t.engine.alarms!.store.queue().filter((x) => x.type === 'access.mismatch');
    const faceNow = (cam: string) => t.engine.faces!.wiring.recent([cam], Date.now() - 1500, Date.now()).some((s) => s.face.quality.sizePx >= 40);

    await setDoor(t.engine.config, 'front', { cameraIds: [camB] });
    await waitFor('B in view of the door camera', () => faceNow(camB), 60_000, 100);
    await publish(pub, 'gatehouse/sensors/reader-1', { type: 'badge.granted', badge: 'B-1001', door: 'front' });
    const alarm = await waitFor('the access.mismatch alarm', () => mismatches()[0], 30_000, 200);
    expect(alarm.cameraIds).toEqual([camB]);
    expect(alarm.details).toMatchObject({ badge: 'B-1001', door: 'front', holder: { personId: personA, name: 'Nicolas Cage' } });
    const faces = await call<{ seen: { dataUrl: string } | null; holder: { dataUrl: string | null; name: string } | null }>('faces.alarmFaces', { alarmId: alarm.id });
    expect(faces.seen?.dataUrl).toMatch(/^data:image\/jpeg;base64,/);
    expect(faces.holder?.dataUrl).toMatch(/^data:image\/jpeg;base64,/);
    expect(faces.holder?.name).toBe('Nicolas Cage');
    await new Promise((r) => setTimeout(r, 6000));
    expect(mismatches()).toHaveLength(1);
    expect(mismatches()[0]!.count).toBe(1);

    await setDoor(t.engine.config, 'front', { cameraIds: [camA] });
    await waitFor('A in view of the door camera', () => faceNow(camA), 60_000, 100);
    await publish(pub, 'gatehouse/sensors/reader-1', { type: 'badge.granted', badge: 'B-1001', door: 'front' });
    await waitFor('the badge read', () => t.engine.integrations!.status().mqtt.received >= 2, 10_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 7000));
    expect(mismatches()).toHaveLength(1);
    expect(mismatches()[0]!.count).toBe(1);
  }, 240_000);

  it('people.forget A: descriptors, photos and crops gone from disk and index, events scrubbed, an audit row', async () => {
    for (const id of [camA, camB]) await call('faces.setEnabled', { cameraId: id, enabled: false });
    await t.engine.faces!.wiring.settle();
    const store = t.engine.faces!.service.store;
    const before = store.listFiles();
    expect(before.some((f) => f.includes(personA))).toBe(true);
    const r = await call<{ enrolments: number; crops: number; files: string[]; events: number }>('people.forget', { person: 'Nicolas Cage' });
    expect(r.enrolments).toBe(1);
    expect(r.crops).toBeGreaterThan(0);
    for (const f of r.files) expect(fs.existsSync(path.join(t.engine.paths.root, f))).toBe(false);
    expect(fs.existsSync(path.join(t.engine.paths.root, 'faces', 'enrol', personA))).toBe(false);
    expect(store.findPerson('Nicolas Cage')).toBeNull();
    expect(store.gallery()).toHaveLength(0);
    expect(store.crops({ personId: personA })).toHaveLength(0);
    const n = t.engine.db.prepare("SELECT COUNT(*) AS n FROM events WHERE json_extract(data, '$.face.personId') = ?").get(personA) as { n: number };
    expect(n.n).toBe(0);
    const audit = t.engine.audit!.trail.list({ action: 'faces.forget' }, null, 10).items;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ name: 'Nicolas Cage', enrolments: 1 });
    expect(t.engine.audit!.trail.verify().ok).toBe(true);
  }, 60_000);
});
