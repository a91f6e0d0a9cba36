/**
 * An uploaded photo as base64 for people.findFaces / people.enrol. The
 * console talks over a WebSocket whose frames are at most 256 KB, so a photo
 * must fit in about 250,000 base64 characters: one that does is sent as it
 * is (the engine scales it to 2048 px itself); a larger one is shrunk in the
 * browser (JPEG, 1600 → 1024 px) until it fits. Without a canvas (tests),
 * only photos that fit are sent.
 */
/** Base64 characters of a photo in one request (the WebSocket frame limit is 256 KB). */
export const MAX_PHOTO_BASE64 = 250_000;
const STEPS: [number, number][] = [
  [1600, 0.9],
  [1600, 0.8],
  [1280, 0.85],
  [1024, 0.85],
  [1024, 0.7],
];

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function shrink(file: Blob): Promise<string | null> {
  if (typeof createImageBitmap !== 'function' || typeof document === 'undefined') return null;
  let bmp: ImageBitmap;
  try {
    bmp = await createImageBitmap(file);
  } catch {
    return null; // not a picture the browser can decode: the engine says what is wrong with it
  }
  const c = document.createElement('canvas');
  const g = c.getContext('2d');
  if (!g) return null;
  for (const [side, q] of STEPS) {
    const k = Math.min(1, side / Math.max(bmp.width, bmp.height));
    c.width = Math.round(bmp.width * k);
    c.height = Math.round(bmp.height * k);
    g.drawImage(bmp, 0, 0, c.width, c.height);
    const b64 = c.toDataURL('image/jpeg', q).replace(/^data:[^,]*,/, '');
    if (b64.length <= MAX_PHOTO_BASE64) return b64;
  }
  return null;
}

export async function photoBase64(file: Blob): Promise<string> {
  if (Math.ceil(file.size / 3) * 4 <= MAX_PHOTO_BASE64) return toBase64(new Uint8Array(await file.arrayBuffer()));
  const small = await shrink(file);
  if (small) return small;
  throw new Error(`the photo is too large to upload (${Math.round(file.size / 1024)} KB) and could not be shrunk here: use a JPEG under 180 KB or at most 1024 px wide`);
}
