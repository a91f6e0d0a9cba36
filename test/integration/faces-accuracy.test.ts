/**
 * Accuracy of the face pipeline on different photos of the same people
 * (docs/faces.md "Accuracy"), with the real models in the face worker:
 *
 * - genuine vs impostor descriptor distances over every pair, the ROC points
 *   and the EER, printed; the chosen threshold must separate them;
 * - an open-set gallery: other photos of enrolled people match them, people
 *   who are not enrolled come out unknown;
 * - the same photos scaled down until the face is 16–120 px wide, and
 *   blurred: every answer is the right person or unknown, never a wrong one;
 * - the vtest clip (faces of 5–13 px) comes out "too small to recognise".
 */
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FacePool, type WorkerFace } from '../../main/engine/faces/pool.js';
import { euclidean, matchFace, type GalleryEntry } from '../../main/engine/faces/match.js';
import { FACE_PARAMS } from '../../main/engine/faces/params.js';
import { TrackFaces } from '../../main/engine/faces/tracks.js';
import { DetectorPool } from '../../main/engine/detection/pool.js';
import { assetPath } from '../../main/engine/paths.js';
import { resolveFfmpeg } from '../../main/engine/media/ffmpeg.js';
import { PHOTOS_MISSING, CLM_IDENTITIES, clm, decode, demo, demoIdentity } from './faces-photos.js';

let pool: FacePool;
interface Sample {
  id: string;
  name: string;
  face: WorkerFace;
}
const samples: Sample[] = [];

async function analyse(input: string | Buffer, maxFaces = 1): Promise<WorkerFace[]> {
  return (await pool.analyze(await decode(input), { maxFaces })).faces;
}

describe.skipIf(!!PHOTOS_MISSING)('face accuracy on different photos of the same people', () => {
  beforeAll(async () => {
    pool = new FacePool({ requestTimeoutMs: 60_000 });
    pool.start();
    expect(await pool.whenReady(120_000)).toBe(true);
    for (const [file, id] of Object.entries(CLM_IDENTITIES)) {
      const [f] = await analyse(clm(file));
      expect(f?.descriptor, file).toBeTruthy();
      samples.push({ id, name: file, face: f! });
    }
    for (let s = 1; s <= 6; s++) {
      const faces = await analyse(demo(s), 12);
      faces.forEach((f, i) => samples.push({ id: demoIdentity(s, (f.box[0] + f.box[2]) / 2, i), name: `sample${s}#${i}`, face: f }));
    }
  });

  afterAll(async () => {
    await pool?.stop();
  });

  it('finds every face of the group photos and separates genuine from impostor pairs at the threshold', () => {
    expect(samples.filter((s) => s.name.startsWith('sample'))).toHaveLength(22);
    const genuine: number[] = [];
    const impostor: number[] = [];
    for (let i = 0; i < samples.length; i++) {
      for (let j = i + 1; j < samples.length; j++) {
        const d = euclidean(samples[i]!.face.descriptor!, samples[j]!.face.descriptor!);
        (samples[i]!.id === samples[j]!.id ? genuine : impostor).push(d);
      }
    }
    const frr = (t: number): number => genuine.filter((d) => d > t).length / genuine.length;
    const far = (t: number): number => impostor.filter((d) => d <= t).length / impostor.length;
    const lines = [`${samples.length} faces, ${genuine.length} genuine pairs, ${impostor.length} impostor pairs`];
    const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
    lines.push(`genuine mean ${mean(genuine).toFixed(3)} max ${Math.max(...genuine).toFixed(3)}; impostor mean ${mean(impostor).toFixed(3)} min ${Math.min(...impostor).toFixed(3)}`);
    for (const t of [0.4, 0.44, 0.48, 0.5, 0.52, 0.56, 0.6]) lines.push(`t=${t.toFixed(2)}  FRR ${(frr(t) * 100).toFixed(1)} %  FAR ${(far(t) * 100).toFixed(2)} %`);
    let eer = { t: 0, v: 1 };
    for (let t = 0.3; t <= 0.7; t += 0.005) {
      const v = Math.max(frr(t), far(t));
      if (v < eer.v) eer = { t, v };
    }
    lines.push(`EER ${(eer.v * 100).toFixed(1)} % at ${eer.t.toFixed(3)}`);
    console.log(`[faces-accuracy]\n  ${lines.join('\n  ')}`);
    expect(genuine.length).toBeGreaterThanOrEqual(55);
    expect(frr(FACE_PARAMS.threshold)).toBe(0);
    expect(far(FACE_PARAMS.threshold)).toBe(0);
    // The margin between the two populations, so the threshold is not on a knife edge.
    expect(Math.min(...impostor) - Math.max(...genuine)).toBeGreaterThan(0.03);
  });

  it('matches other photos of enrolled people and leaves strangers unknown (open set)', () => {
    const strangers = new Set(['obama', 'kardashian', 'cranston']);
    const gallery: GalleryEntry[] = [];
    const probes: Sample[] = [];
    for (const s of samples) {
      if (strangers.has(s.id) || gallery.some((g) => g.personId === s.id)) probes.push(s);
      else gallery.push({ personId: s.id, enrolmentId: s.name, descriptor: s.face.descriptor! });
    }
    let right = 0;
    for (const p of probes) {
      const m = matchFace(p.face, gallery);
      if (strangers.has(p.id)) expect(m.match, `${p.name} is not enrolled`).toBe(false);
      else {
        expect(m, p.name).toMatchObject({ match: true, personId: p.id });
        right++;
      }
    }
    console.log(`[faces-accuracy] open set: ${gallery.length} enrolled, ${right} genuine probes matched, ${strangers.size} strangers unknown`);
    expect(right).toBeGreaterThanOrEqual(14);
  });

  it('low-resolution and blurred faces come out unknown, never as the wrong person', async () => {
    const gallery: GalleryEntry[] = [];
    for (const s of samples) if (!gallery.some((g) => g.personId === s.id)) gallery.push({ personId: s.id, enrolmentId: s.name, descriptor: s.face.descriptor! });
    const probes = Object.entries(CLM_IDENTITIES).filter(([file, id]) => gallery.find((g) => g.personId === id)!.enrolmentId !== file);
    const table: string[] = [];
    let wrong = 0;
    for (const [size, blur] of [
      [16, 0],
      [24, 0],
      [32, 0],
      [48, 0],
      [80, 0],
      [120, 0],
      [80, 3],
      [120, 6],
    ] as const) {
      let right = 0;
      let unknown = 0;
      const reasons: Record<string, number> = {};
      for (const [file, id] of probes) {
        const full = samples.find((s) => s.name === file)!.face;
        const meta = await sharp(clm(file)).metadata();
        let buf = await sharp(clm(file)).resize(Math.max(8, Math.round((meta.width! * size) / full.quality.sizePx))).png().toBuffer();
        if (blur) buf = await sharp(buf).blur((blur * size) / 100).png().toBuffer();
        const [f] = await analyse(buf);
        if (!f) {
          unknown++;
          reasons['no face'] = (reasons['no face'] ?? 0) + 1;
          continue;
        }
        const m = matchFace(f, gallery);
        if (m.match && m.personId !== id) {
          wrong++;
          table.push(`WRONG: ${file} at ${size} px blur ${blur} → ${m.personId} (${m.distance})`);
        } else if (m.match) right++;
        else {
          unknown++;
          reasons[m.reason] = (reasons[m.reason] ?? 0) + 1;
        }
        if (size < FACE_PARAMS.minFacePx * 0.9) expect(m.match).toBe(false);
      }
      table.push(`${String(size).padStart(3)} px blur ${blur}% → right ${right}, unknown ${unknown} (${Object.entries(reasons).map(([k, v]) => `${k} ${v}`).join(', ')})`);
    }
    console.log(`[faces-accuracy] degraded probes (${probes.length} photos of enrolled people):\n  ${table.join('\n  ')}`);
    expect(wrong).toBe(0);
  });

  it('the vtest clip is too small to recognise: person heights say 5–13 px faces, the face detector finds none big enough', async () => {
    const ffmpeg = resolveFfmpeg().ffmpeg;
    const clip = assetPath('media', 'vtest_h264.mp4');
    const detector = new DetectorPool({ modelPath: assetPath('models', 'yolox_nano.onnx') });
    detector.start();
    try {
      expect(await detector.whenReady(60_000)).toBe(true);
      const tracks = new TrackFaces({ pool, gallery: () => [] });
      let persons = 0;
      for (const at of [5, 10, 15, 20]) {
        // The detector's 416-pixel copy for the boxes, the camera's 768×576 frame for the faces.
        const small = execFileSync(ffmpeg, ['-v', 'error', '-ss', String(at), '-i', clip, '-frames:v', '1', '-vf', 'scale=416:312', '-f', 'rawvideo', '-pix_fmt', 'bgr24', 'pipe:1'], { maxBuffer: 1 << 24 });
        const full = execFileSync(ffmpeg, ['-v', 'error', '-ss', String(at), '-i', clip, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'bgr24', 'pipe:1'], { maxBuffer: 1 << 24 });
        const det = await detector.detect(small.buffer.slice(small.byteOffset, small.byteOffset + small.length), 416, 312);
        const frame = { data: new Uint8Array(full.buffer, full.byteOffset, full.length), width: 768, height: 576, order: 'bgr' as const };
        for (const [i, d] of (det?.detections ?? []).filter((x) => x.label === 'person').entries()) {
          persons++;
          await tracks.offer({ cameraId: 'vtest', trackId: `${at}-${i}`, timeMs: at * 1000, frame, personBox: d.box });
        }
        // The whole frame through the face worker: no face big enough to match.
        const r = await pool.analyze(frame);
        for (const f of r.faces) expect(matchFace(f, [{ personId: 'x', enrolmentId: 'x', descriptor: new Float32Array(128) }])).toMatchObject({ match: false, reason: 'too-small' });
      }
      const est = tracks.capability.estimate('vtest');
      console.log(`[faces-accuracy] vtest: ${persons} persons → ${JSON.stringify(est)}`);
      expect(persons).toBeGreaterThanOrEqual(15);
      expect(est.state).toBe('too-small');
      expect(est.medianFacePx!).toBeGreaterThanOrEqual(4);
      expect(est.medianFacePx!).toBeLessThanOrEqual(14);
      expect(est.message).toMatch(/too small to recognise/);
    } finally {
      await detector.stop();
    }
  });
});
