/**
 * Small JPEGs of a snapshot for a push payload, largest first: the payload
 * takes the first that fits under the push services' 4 KB (push.ts).
 */
import sharp from 'sharp';

const SIZES: [width: number, quality: number][] = [
  [192, 50],
  [160, 45],
  [128, 40],
  [96, 35],
];

export async function thumbnails(jpeg: Buffer): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const [width, quality] of SIZES) {
    try {
      out.push(await sharp(jpeg).resize({ width, withoutEnlargement: true }).jpeg({ quality, mozjpeg: true, chromaSubsampling: '4:2:0' }).toBuffer());
    } catch {
      break; // not a picture sharp can read: no thumbnail
    }
  }
  return out;
}
