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
  /** Cap on the k × k supersampling (default 4; the detector inputs use 2: cheaper, and detection does not need more). */
  maxSupersample?: number;
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
 * (k = round(scale), at most `maxSupersample`, default 4), so a large photo does not alias into the
 * detector or the chip. Pixels outside the source read as `fill`.
 */
export function sampleAffine(img: PackedImage, m: Affine, outW: number, outH: number, out: Float32Array, opts: SampleOptions): Float32Array {
  checkImage(img);
  if (out.length < outW * outH * 3) throw new Error('output tensor too small');
  if (m[1] === 0 && m[3] === 0) return sampleAxisAligned(img, m, outW, outH, out, opts);
  const { width: w, height: h, data } = img;
  const rOff = img.order === 'rgb' ? 0 : 2;
  const bOff = 2 - rOff;
  const scale = affineScale(m);
  const k = scale > 1.5 ? Math.min(opts.maxSupersample ?? 4, Math.round(scale)) : 1;
  const inv = 1 / (k * k);
  const plane = outW * outH;
  const [a, b, c, d, e, f] = m;
  const fill = opts.fill;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let r = 0;
      let g = 0;
      let bl = 0;
      for (let j = 0; j < k; j++) {
        const py = y + (j + 0.5) / k;
        for (let i = 0; i < k; i++) {
          const px = x + (i + 0.5) / k;
          // One bilinear read at the continuous source point.
          const sx = a * px + b * py + c - 0.5;
          const sy = d * px + e * py + f - 0.5;
          if (sx < -0.5 || sy < -0.5 || sx > w - 0.5 || sy > h - 0.5) {
            r += fill;
            g += fill;
            bl += fill;
            continue;
          }
          let x0 = Math.floor(sx);
          let y0 = Math.floor(sy);
          const fx = sx - x0;
          const fy = sy - y0;
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

/** Bilinear taps along one axis: for each output index and sub-sample, two source indices and a weight (-1: outside). */
function axisTaps(n: number, k: number, scale: number, offset: number, size: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(n * k);
  const i1 = new Int32Array(n * k);
  const f = new Float32Array(n * k);
  for (let o = 0; o < n; o++) {
    for (let j = 0; j < k; j++) {
      const c = scale * (o + (j + 0.5) / k) + offset - 0.5;
      const t = o * k + j;
      if (c < -0.5 || c > size - 0.5) {
        i0[t] = -1;
        continue;
      }
      let a = Math.floor(c);
      const fr = c - a;
      let b = a + 1;
      if (a < 0) a = 0;
      if (b > size - 1) b = size - 1;
      i0[t] = a;
      i1[t] = b;
      f[t] = fr;
    }
  }
  return { i0, i1, f };
}

/** sampleAffine for maps without rotation (letterbox, crops): separable tap tables, no per-pixel division. */
function sampleAxisAligned(img: PackedImage, m: Affine, outW: number, outH: number, out: Float32Array, opts: SampleOptions): Float32Array {
  const { width: w, height: h, data } = img;
  const rOff = img.order === 'rgb' ? 0 : 2;
  const bOff = 2 - rOff;
  const scale = Math.sqrt(Math.abs(m[0] * m[4]));
  const k = scale > 1.5 ? Math.min(opts.maxSupersample ?? 4, Math.round(scale)) : 1;
  const inv = 1 / (k * k);
  const X = axisTaps(outW, k, m[0], m[2], w);
  const Y = axisTaps(outH, k, m[4], m[5], h);
  const plane = outW * outH;
  const fill = opts.fill;
  const { mul, add } = opts;
  const hwc = opts.layout === 'hwc';
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < k; j++) {
        const ty = y * k + j;
        const y0 = Y.i0[ty]!;
        if (y0 < 0) {
          r += fill * k;
          g += fill * k;
          b += fill * k;
          continue;
        }
        const row0 = y0 * w;
        const row1 = Y.i1[ty]! * w;
        const fy = Y.f[ty]!;
        for (let i = 0; i < k; i++) {
          const tx = x * k + i;
          const x0 = X.i0[tx]!;
          if (x0 < 0) {
            r += fill;
            g += fill;
            b += fill;
            continue;
          }
          const x1 = X.i1[tx]!;
          const fx = X.f[tx]!;
          const p00 = (row0 + x0) * 3;
          const p01 = (row0 + x1) * 3;
          const p10 = (row1 + x0) * 3;
          const p11 = (row1 + x1) * 3;
          const w00 = (1 - fx) * (1 - fy);
          const w01 = fx * (1 - fy);
          const w10 = (1 - fx) * fy;
          const w11 = fx * fy;
          r += data[p00 + rOff]! * w00 + data[p01 + rOff]! * w01 + data[p10 + rOff]! * w10 + data[p11 + rOff]! * w11;
          g += data[p00 + 1]! * w00 + data[p01 + 1]! * w01 + data[p10 + 1]! * w10 + data[p11 + 1]! * w11;
          b += data[p00 + bOff]! * w00 + data[p01 + bOff]! * w01 + data[p10 + bOff]! * w10 + data[p11 + bOff]! * w11;
        }
      }
      const p = y * outW + x;
      if (hwc) {
        out[p * 3] = r * inv * mul + add;
        out[p * 3 + 1] = g * inv * mul + add;
        out[p * 3 + 2] = b * inv * mul + add;
      } else {
        out[p] = r * inv * mul + add;
        out[plane + p] = g * inv * mul + add;
        out[2 * plane + p] = b * inv * mul + add;
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
