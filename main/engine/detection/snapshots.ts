/**
 * Best shot per tracked object (docs/detection.md "Best snapshot"; docs/privacy.md).
 *
 * On every detection frame a tracked object is seen on, its frame is scored
 * score × size × sharpness; the best one so far is kept as a small BGR crop
 * (the box with a margin, copied out of the 416-px detection frame; never the
 * whole frame). The crop is written as a JPEG with the box drawn when the
 * object event starts, and again when it ends if a better frame came:
 * `<data>/snapshots/objects/<camera>/<YYYY-MM-DD>/<event id>.jpg`. Retention
 * follows the events: a crop whose event row is gone is deleted by the sweep
 * (at start and hourly). Not sealed (no biometric data; like the recordings).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { NormBox } from '../../api/detection.js';
import type { Db } from '../store/db.js';
import { logger } from '../log.js';

const log = logger('detection');

/** A crop held in memory: packed RGB, with the box inside it in crop pixels. */
export interface ShotCrop {
  rgb: Buffer;
  width: number;
  height: number;
  /** The object's box in crop pixels. */
  box: [number, number, number, number];
  quality: number;
  timeMs: number;
}

/** Grey-level variance of the Laplacian over a BGR region (x, y, w, h in pixels): how sharp it is. */
export function sharpness(bgr: Uint8Array, frameW: number, x0: number, y0: number, w: number, h: number): number {
  if (w < 3 || h < 3) return 0;
  const g = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    let p = ((y0 + y) * frameW + x0) * 3;
    for (let x = 0; x < w; x++, p += 3) g[y * w + x] = (bgr[p]! + 2 * bgr[p + 1]! + bgr[p + 2]!) / 4;
  }
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const l = 4 * g[i]! - g[i - 1]! - g[i + 1]! - g[i - w]! - g[i + w]!;
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  if (!n) return 0;
  const mean = sum / n;
  return sum2 / n - mean * mean;
}

/** Score × size × sharpness of one sighting, all 0..1: size = √(box area share) × 4 (capped), sharpness = var/(var+100). */
export function shotQuality(score: number, box: NormBox, sharp: number): number {
  const area = Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
  const size = Math.min(1, Math.sqrt(area) * 4);
  return score * size * (sharp / (sharp + 100));
}

/** The best quality a sighting could reach (perfectly sharp): skip the crop when it cannot beat the best. */
export function qualityBound(score: number, box: NormBox): number {
  const area = Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
  return score * Math.min(1, Math.sqrt(area) * 4);
}

/** The crop region of a box in a w×h frame: the box with 25 % margin (at least 8 px), clamped. */
export function cropRegion(box: NormBox, w: number, h: number): { x: number; y: number; w: number; h: number; box: [number, number, number, number] } {
  const bx0 = box[0] * w;
  const by0 = box[1] * h;
  const bx1 = box[2] * w;
  const by1 = box[3] * h;
  const mx = Math.max(8, (bx1 - bx0) * 0.25);
  const my = Math.max(8, (by1 - by0) * 0.25);
  const x = Math.max(0, Math.floor(bx0 - mx));
  const y = Math.max(0, Math.floor(by0 - my));
  const x1 = Math.min(w, Math.ceil(bx1 + mx));
  const y1 = Math.min(h, Math.ceil(by1 + my));
  return { x, y, w: Math.max(1, x1 - x), h: Math.max(1, y1 - y), box: [bx0 - x, by0 - y, bx1 - x, by1 - y] };
}

/** Copy a region of a packed BGR frame as packed RGB. */
export function copyRegionRgb(bgr: Uint8Array, frameW: number, r: { x: number; y: number; w: number; h: number }): Buffer {
  const out = Buffer.allocUnsafe(r.w * r.h * 3);
  let o = 0;
  for (let y = 0; y < r.h; y++) {
    let p = ((r.y + y) * frameW + r.x) * 3;
    for (let x = 0; x < r.w; x++, p += 3) {
      out[o++] = bgr[p + 2]!;
      out[o++] = bgr[p + 1]!;
      out[o++] = bgr[p]!;
    }
  }
  return out;
}

/**
 * Consider one sighting of a track: returns a new best crop, or null when
 * `best` stays the best. Cheap when it cannot win (no pixel is touched).
 */
export function considerShot(
  best: ShotCrop | null,
  s: { score: number; box: NormBox; frame: Uint8Array; w: number; h: number; timeMs: number },
): ShotCrop | null {
  if (best && qualityBound(s.score, s.box) <= best.quality) return null;
  const r = cropRegion(s.box, s.w, s.h);
  const bx = Math.max(0, Math.floor(s.box[0] * s.w));
  const by = Math.max(0, Math.floor(s.box[1] * s.h));
  const bw = Math.min(s.w - bx, Math.ceil((s.box[2] - s.box[0]) * s.w));
  const bh = Math.min(s.h - by, Math.ceil((s.box[3] - s.box[1]) * s.h));
  const q = shotQuality(s.score, s.box, sharpness(s.frame, s.w, bx, by, bw, bh));
  if (best && q <= best.quality) return null;
  return { rgb: copyRegionRgb(s.frame, s.w, r), width: r.w, height: r.h, box: r.box, quality: Math.round(q * 10_000) / 10_000, timeMs: s.timeMs };
}

/** Draw the box (2 px, amber) into an RGB crop, in place. */
export function drawBox(c: ShotCrop): void {
  const [x0, y0, x1, y1] = c.box.map((v) => Math.round(v)) as [number, number, number, number];
  const put = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= c.width || y >= c.height) return;
    const i = (y * c.width + x) * 3;
    c.rgb[i] = 255;
    c.rgb[i + 1] = 191;
    c.rgb[i + 2] = 0;
  };
  for (let t = 0; t < 2; t++) {
    for (let x = x0; x <= x1; x++) {
      put(x, y0 + t);
      put(x, y1 - t);
    }
    for (let y = y0; y <= y1; y++) {
      put(x0 + t, y);
      put(x1 - t, y);
    }
  }
}

export const SNAPSHOT_DIR = path.join('snapshots', 'objects');
/** Crops are scaled up to at least this height, so a small object is visible in the list. */
const MIN_HEIGHT = 240;

/** Relative path (to the data dir) of an object event's crop. */
export function snapshotFile(cameraId: string, eventId: number, timeMs: number): string {
  const day = new Date(timeMs).toISOString().slice(0, 10);
  return path.join(SNAPSHOT_DIR, cameraId, day, `${eventId}.jpg`);
}

/** Encode a crop as JPEG, scaled up for small objects, with the box drawn (2 px at the output size). */
export async function encodeShot(c: ShotCrop): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const scale = Math.min(4, Math.max(1, MIN_HEIGHT / c.height));
  const width = Math.round(c.width * scale);
  const height = Math.round(c.height * scale);
  let rgb = c.rgb;
  if (scale > 1) {
    rgb = await sharp(c.rgb, { raw: { width: c.width, height: c.height, channels: 3 } })
      .resize(width, height, { kernel: 'lanczos3' })
      .raw()
      .toBuffer();
  } else rgb = Buffer.from(rgb);
  const out: ShotCrop = { ...c, rgb, width, height, box: c.box.map((v) => v * (width / c.width)) as ShotCrop['box'] };
  drawBox(out);
  const jpeg = await sharp(out.rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: 88, mozjpeg: true }).toBuffer();
  return { jpeg, width, height };
}

/** Write a file atomically (tmp + rename), creating its folder. */
export async function writeAtomic(root: string, rel: string, data: Buffer): Promise<void> {
  const file = path.join(root, rel);
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, data);
  await fs.promises.rename(tmp, file);
}

/**
 * Delete crops whose object event is gone (events retention, a rebuilt index):
 * day folders older than the oldest event's day go whole; in the others, each
 * file whose event row is missing. Returns the files deleted.
 */
export function sweepSnapshots(root: string, db: Db): number {
  const base = path.join(root, SNAPSHOT_DIR);
  let cams: string[];
  try {
    cams = fs.readdirSync(base);
  } catch {
    return 0;
  }
  const oldest = (db.prepare("SELECT MIN(time_ms) AS t FROM events WHERE kind = 'object'").get() as { t: number | null }).t;
  const oldestDay = oldest === null ? '9999-99-99' : new Date(oldest).toISOString().slice(0, 10);
  const has = db.prepare("SELECT 1 FROM events WHERE id = ? AND kind = 'object'");
  let n = 0;
  for (const cam of cams) {
    const camDir = path.join(base, cam);
    let days: string[];
    try {
      days = fs.readdirSync(camDir);
    } catch {
      continue;
    }
    for (const day of days) {
      const dayDir = path.join(camDir, day);
      try {
        const files = fs.readdirSync(dayDir);
        if (day < oldestDay) {
          fs.rmSync(dayDir, { recursive: true, force: true });
          n += files.length;
          continue;
        }
        for (const f of files) {
          const m = /^(\d+)\.jpg$/.exec(f);
          if (m && has.get(Number(m[1]))) continue;
          // a .tmp is a crop being written, unless it was left by a crash a while ago
          if (!m && !(f.endsWith('.tmp') && Date.now() - fs.statSync(path.join(dayDir, f)).mtimeMs > 60_000)) continue;
          fs.rmSync(path.join(dayDir, f), { force: true });
          n++;
        }
        if (!fs.readdirSync(dayDir).length) fs.rmdirSync(dayDir);
      } catch (err) {
        log.debug(`snapshot sweep of ${dayDir}: ${(err as Error).message}`);
      }
    }
    try {
      if (!fs.readdirSync(camDir).length) fs.rmdirSync(camDir);
    } catch {
      /* gone or busy */
    }
  }
  return n;
}
