/**
 * Pixels for the face models: packed 8-bit RGB or BGR images in, float
 * tensors out, through one affine sampler (letterboxing, crops and the
 * aligned face chip are all affine maps). Pure, no ONNX Runtime: unit-tested
 * in face-image.test.ts. See docs/faces.md.
 */

export type PixelOrder = 'rgb' | 'bgr';

/** A packed 8-bit image, 3 bytes per pixel, rows without padding. */
export interface PackedImage {
  data: Uint8Array;
  width: number;
  height: number;
  order: PixelOrder;
}

/**
 * Affine map from destination to source coordinates (continuous pixel space,
 * pixel i covers [i, i+1)): `sx = a·x + b·y + c`, `sy = d·x + e·y + f`.
 */
export type Affine = [a: number, b: number, c: number, d: number, e: number, f: number];

export interface SampleOptions {
  /** `hwc` (NHWC tensors: BlazeFace, dlib) or `chw` (NCHW: UltraFace). */
  layout: 'hwc' | 'chw';
  /** out = value · mul + add, per channel, in RGB order. */
  mul: number;
  add: number;
  /** Raw 0–255 value used outside the source image (before mul/add). */
  fill: number;
}

/** Throws when the buffer does not hold width × height × 3 bytes. */
export function checkImage(img: PackedImage): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw new Error(`bad image size ${img.width}×${img.height}`);
  }
  if (img.data.length < img.width * img.height * 3) {
    throw new Error(`image buffer holds ${img.data.length} bytes, ${img.width}×${img.height} packed RGB needs ${img.width * img.height * 3}`);
  }
}

/** Source pixels per destination pixel of an affine map (geometric mean of its axes). */
export function affineScale(m: Affine): number {
  return Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
}

/**
 * Sample `img` through `m` into an outW × outH RGB float tensor. Bilinear,
 * with k×k supersampling when the map shrinks the source by more than 1.5×
 * (k = round(scale), at most 4), so a large photo does not alias into the
 * detector or the chip. Pixels outside the source read as `fill`.
 */
export function sampleAffine(img: PackedImage, m: Affine, outW: number, outH: number, out: Float32Array, opts: SampleOptions): Float32Array {
  checkImage(img);
  if (out.length < outW * outH * 3) throw new Error('output tensor too small');
  const { width: w, height: h, data } = img;
  const rOff = img.order === 'rgb' ? 0 : 2;
  const bOff = 2 - rOff;
  const scale = affineScale(m);
  const k = scale > 1.5 ? Math.min(4, Math.round(scale)) : 1;
  const inv = 1 / (k * k);
  const plane = outW * outH;
  const [a, b, c, d, e, f] = m;
  const fill = opts.fill;
  let r = 0;
  let g = 0;
  let bl = 0;
  // One bilinear read at continuous source point (sx, sy); adds into r, g, bl.
  const read = (sx: number, sy: number): void => {
    const x = sx - 0.5;
    const y = sy - 0.5;
    if (x < -0.5 || y < -0.5 || x > w - 0.5 || y > h - 0.5) {
      r += fill;
      g += fill;
      bl += fill;
      return;
    }
    let x0 = Math.floor(x);
    let y0 = Math.floor(y);
    const fx = x - x0;
    const fy = y - y0;
    let x1 = x0 + 1;
    let y1 = y0 + 1;
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > w - 1) x1 = w - 1;
    if (y1 > h - 1) y1 = h - 1;
    const i00 = (y0 * w + x0) * 3;
    const i01 = (y0 * w + x1) * 3;
    const i10 = (y1 * w + x0) * 3;
    const i11 = (y1 * w + x1) * 3;
    const w00 = (1 - fx) * (1 - fy);
    const w01 = fx * (1 - fy);
    const w10 = (1 - fx) * fy;
    const w11 = fx * fy;
    r += data[i00 + rOff]! * w00 + data[i01 + rOff]! * w01 + data[i10 + rOff]! * w10 + data[i11 + rOff]! * w11;
    g += data[i00 + 1]! * w00 + data[i01 + 1]! * w01 + data[i10 + 1]! * w10 + data[i11 + 1]! * w11;
    bl += data[i00 + bOff]! * w00 + data[i01 + bOff]! * w01 + data[i10 + bOff]! * w10 + data[i11 + bOff]! * w11;
  };
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      r = 0;
      g = 0;
      bl = 0;
      for (let j = 0; j < k; j++) {
        const py = y + (j + 0.5) / k;
        for (let i = 0; i < k; i++) {
          const px = x + (i + 0.5) / k;
          read(a * px + b * py + c, d * px + e * py + f);
        }
      }
      const R = r * inv * opts.mul + opts.add;
      const G = g * inv * opts.mul + opts.add;
      const B = bl * inv * opts.mul + opts.add;
      const p = y * outW + x;
      if (opts.layout === 'hwc') {
        out[p * 3] = R;
        out[p * 3 + 1] = G;
        out[p * 3 + 2] = B;
      } else {
        out[p] = R;
        out[plane + p] = G;
        out[2 * plane + p] = B;
      }
    }
  }
  return out;
}

/** A square (or any rectangle) of the source placed into an outW × outH input, aspect kept. */
export interface Letterbox {
  /** Destination → source map. */
  map: Affine;
  /** Source pixels per input pixel. */
  scale: number;
  /** Where the source rectangle's top-left lands in the input (pixels). */
  padX: number;
  padY: number;
}

/**
 * Fit the source rectangle (x, y, w, h) into outW × outH, centred, aspect
 * kept; the rest of the input is padding. Inverse: src = dst · scale + origin.
 */
export function letterbox(x: number, y: number, w: number, h: number, outW: number, outH: number): Letterbox {
  const scale = Math.max(w / outW, h / outH);
  const padX = (outW - w / scale) / 2;
  const padY = (outH - h / scale) / 2;
  // src = (dst - pad) · scale + origin
  return { map: [scale, 0, x - padX * scale, 0, scale, y - padY * scale], scale, padX, padY };
}

/** Map a point of the model input back to the source through a letterbox. */
export function fromInput(lb: Letterbox, px: number, py: number): [number, number] {
  const m = lb.map;
  return [m[0] * px + m[2], m[4] * py + m[5]];
}

/** Rec. 601 luma of an RGB float HWC tensor (0–255 values), as a new array. */
export function lumaHwc(rgb: Float32Array, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) out[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  return out;
}
