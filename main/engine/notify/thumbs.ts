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
      out.push(
        await sharp(jpeg)
          .resize({ width, withoutEnlargement: true })
          .jpeg({ quality, mozjpeg: true, chromaSubsampling: '4:2:0' })
          .toBuffer(),
      );
    } catch {
      break; // not a picture sharp can read: no thumbnail
    }
  }
  return out;
}

/**
 * Privacy masks burned into a snapshot that leaves the site (e-mail, push):
 * each polygon (coordinates 0–1 of the picture) filled opaque black, as in
 * exports (docs/privacy.md). No polygon: the JPEG as it was.
 */
export async function burnMasks(jpeg: Buffer, polygons: [number, number][][]): Promise<Buffer> {
  if (!polygons.length) return jpeg;
  const img = sharp(jpeg);
  const { width, height } = await img.metadata();
  if (!width || !height) return jpeg;
  const shapes = polygons
    .map((p) => `<polygon fill="#000" points="${p.map(([x, y]) => `${(x * width).toFixed(1)},${(y * height).toFixed(1)}`).join(' ')}"/>`)
    .join('');
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes}</svg>`);
  return img
    .composite([{ input: svg, top: 0, left: 0 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}
