/**
 * Pictures in and out of face recognition: decoding uploaded photos (JPEG,
 * PNG, WebP through sharp, EXIF orientation applied) into packed RGB, and
 * cutting small JPEG face crops (thumbnails, enrolment images, evidence)
 * out of a picture.
 */
import sharp from 'sharp';
import { sampleAffine } from '../../../native-workers/face-image.js';
import type { Box } from '../../../native-workers/face-geometry.js';
import type { FaceImage } from './pool.js';

/** Photos are scaled down to fit this (long side) before the face search. */
export const MAX_PHOTO_SIDE = 2048;
/** Refuse images larger than this many pixels before decoding them. */
export const MAX_PHOTO_PIXELS = 64_000_000;

export interface DecodedPhoto extends FaceImage {
  format: string;
  /** The photo's own size (after EXIF rotation), before any scaling. */
  originalWidth: number;
  originalHeight: number;
  /** originalWidth / width (1 when not scaled). */
  scale: number;
}

/** A photo that cannot be used, with the reason in words. */
export class PhotoError extends Error {
  constructor(
    readonly code: 'corrupt-image' | 'unsupported-format' | 'too-large',
    message: string,
  ) {
    super(message);
  }
}

const FORMATS = new Set(['jpeg', 'png', 'webp']);

export async function decodePhoto(bytes: Uint8Array): Promise<DecodedPhoto> {
  if (!bytes?.length) throw new PhotoError('corrupt-image', 'the file is empty; choose a JPEG, PNG or WebP photo');
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: MAX_PHOTO_PIXELS }).metadata();
  } catch (err) {
    throw new PhotoError('corrupt-image', `the file is not an image that can be read (${(err as Error).message.replace(/^Input buffer contains /, '')}); choose a JPEG, PNG or WebP photo`);
  }
  if (!meta.format || !FORMATS.has(meta.format)) {
    throw new PhotoError('unsupported-format', `${meta.format ?? 'this'} images are not accepted; use a JPEG, PNG or WebP photo`);
  }
  if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_PHOTO_PIXELS) {
    throw new PhotoError('too-large', `the photo is ${meta.width}×${meta.height}; use one under ${MAX_PHOTO_PIXELS / 1e6} megapixels`);
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_PHOTO_PIXELS, failOn: 'error' })
      .rotate()
      .resize({ width: MAX_PHOTO_SIDE, height: MAX_PHOTO_SIDE, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const rotated = (meta.orientation ?? 1) >= 5;
    const ow = rotated ? meta.height! : meta.width!;
    const oh = rotated ? meta.width! : meta.height!;
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
      order: 'rgb',
      format: meta.format,
      originalWidth: ow,
      originalHeight: oh,
      scale: ow / info.width,
    };
  } catch (err) {
    throw new PhotoError('corrupt-image', `the photo could not be decoded (${(err as Error).message}); it may be truncated or damaged: export it again as JPEG or PNG`);
  }
}

/**
 * A square crop around a face box (`pad` × its larger side, centred), scaled
 * to at most `size` pixels, as JPEG. Parts outside the picture are black.
 */
export async function faceCropJpeg(img: FaceImage, box: Box, opts: { pad?: number; size?: number; quality?: number } = {}): Promise<Buffer> {
  const pad = opts.pad ?? 1.6;
  const side = Math.max(box[2] - box[0], box[3] - box[1]) * pad;
  const size = Math.max(16, Math.min(opts.size ?? 160, Math.round(side)));
  const cx = (box[0] + box[2]) / 2;
  const cy = (box[1] + box[3]) / 2;
  const s = side / size;
  const f = new Float32Array(size * size * 3);
  sampleAffine(img, [s, 0, cx - side / 2, 0, s, cy - side / 2], size, size, f, { layout: 'hwc', mul: 1, add: 0, fill: 0 });
  const u8 = Buffer.alloc(f.length);
  for (let i = 0; i < f.length; i++) u8[i] = Math.max(0, Math.min(255, Math.round(f[i]!)));
  return sharp(u8, { raw: { width: size, height: size, channels: 3 } })
    .jpeg({ quality: opts.quality ?? 85 })
    .toBuffer();
}
