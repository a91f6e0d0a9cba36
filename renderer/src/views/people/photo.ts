/**
 * An uploaded photo as base64 for people.findFaces / people.enrol: shrunk to
 * at most 1600 px (JPEG) in the browser when it is larger, so it fits the
 * request body limit (1 MB); without a canvas (tests), the file as it is.
 */
export const MAX_UPLOAD_SIDE = 1600;
/** Base64 characters the API accepts for a photo. */
export const MAX_PHOTO_BASE64 = 1_000_000;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function shrink(file: Blob): Promise<string | null> {
  if (typeof createImageBitmap !== 'function' || typeof document === 'undefined') return null;
  try {
    const bmp = await createImageBitmap(file);
    const k = Math.min(1, MAX_UPLOAD_SIDE / Math.max(bmp.width, bmp.height));
    if (k === 1 && file.size * 1.37 < MAX_PHOTO_BASE64) return null;
    const c = document.createElement('canvas');
    c.width = Math.round(bmp.width * k);
    c.height = Math.round(bmp.height * k);
    const g = c.getContext('2d');
    if (!g) return null;
    g.drawImage(bmp, 0, 0, c.width, c.height);
    return c.toDataURL('image/jpeg', 0.92).replace(/^data:[^,]*,/, '');
  } catch {
    return null; // not a picture the browser can decode: the engine says what is wrong with it
  }
}

export async function photoBase64(file: Blob): Promise<string> {
  const small = await shrink(file);
  if (small) return small;
  const b64 = toBase64(new Uint8Array(await file.arrayBuffer()));
  if (b64.length > MAX_PHOTO_BASE64) throw new Error(`the photo is too large to upload (${Math.round(file.size / 1024)} KB): use one under 700 KB or at most ${MAX_UPLOAD_SIDE} px`);
  return b64;
}
