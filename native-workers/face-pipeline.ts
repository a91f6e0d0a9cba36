/**
 * The face pipeline: detect → refine (BlazeFace keypoints) → align (150 × 150
 * chip) → quality → describe (dlib ResNet, 128-d). Owns the ONNX Runtime
 * sessions; runs inside the face worker (native-workers/face-worker.ts), and
 * in the bench and the accuracy script for measurements. See docs/faces.md.
 *
 * Stage 1 looks for faces in each region (the whole picture, or the
 * upper-body crops of person tracks) with the chosen detector. Stage 2 runs
 * BlazeFace again on a square around each face, so the keypoints that drive
 * the alignment come from a face that fills a good part of the model's
 * input even when it was small in the picture.
 */
import * as ort from 'onnxruntime-node';
import { BLAZE_ADD, BLAZE_MUL, BLAZE_SIZE, decodeBlazeFace } from './face-blazeface.js';
import { ULTRA_ADD, ULTRA_H, ULTRA_MUL, ULTRA_W, decodeUltraFace } from './face-ultraface.js';
import { CHIP_SIZE, chipTransform, dlibReference } from './face-align.js';
import { faceQuality, laplacianVariance, type FaceQuality } from './face-quality.js';
import { boxWidth, boxHeight, clipBox, iou, nms, type Box, type FaceCandidate, type Point } from './face-geometry.js';
import { checkImage, fromInput, letterbox, lumaHwc, sampleAffine, type PackedImage } from './face-image.js';

export type { Box, Point, FaceQuality, PackedImage };

export interface FaceModelPaths {
  blazeface: string;
  /** Needed only when a stage-1 detector 'ultraface' is asked for. */
  ultraface?: string;
  /** Needed only when descriptors are asked for. */
  descriptor?: string;
}

export type FaceDetectorKind = 'blazeface' | 'ultraface';

export interface FaceAnalyzeOptions {
  /** Stage-1 detector. Default 'blazeface' (see docs/faces.md "Choices"). */
  detector?: FaceDetectorKind;
  /** Regions of the picture to search, in its pixels (default: all of it). */
  regions?: Box[];
  /** Compute descriptors (default true). */
  describe?: boolean;
  /** At most this many faces, best detector score first (default 8). */
  maxFaces?: number;
  /** No descriptor for faces narrower than this (source pixels); their quality is still measured. Default 0. */
  minDescribePx?: number;
  /** Stage-1 face score threshold (default 0.5 BlazeFace, 0.7 UltraFace). */
  scoreThreshold?: number;
  /** Refine keypoints with a second BlazeFace run on a square around each face (default true). */
  refine?: boolean;
  /** Chip reference points (default DEFAULT_REFERENCE) and whether the nose takes part. */
  reference?: Point[];
  noNose?: boolean;
  /** Return each face's aligned 150 × 150 RGB chip (default false). */
  chips?: boolean;
}

export interface AnalyzedFace {
  /** Face box in source pixels. */
  box: Box;
  score: number;
  /** Six BlazeFace keypoints in source pixels; null when no keypoints were found (no alignment, no descriptor). */
  keypoints: Point[] | null;
  quality: FaceQuality;
  /** 128 floats, or null (not asked, too small, or no keypoints). */
  descriptor: Float32Array | null;
  /** Aligned chip, 150 × 150 packed RGB, when `chips` was asked. */
  chip?: Uint8Array;
}

export interface AnalyzeTimings {
  detectMs: number;
  refineMs: number;
  alignMs: number;
  describeMs: number;
  totalMs: number;
  /** session.run calls and the time spent inside them. */
  runs: number;
  sessionMs: number;
}

export interface AnalyzeResult {
  faces: AnalyzedFace[];
  timings: AnalyzeTimings;
}

/**
 * dlib's template with 25 % padding, the nose a little below dlib's point 30
 * (BlazeFace's nose keypoint sits lower): the best separation in docs/faces.md.
 */
export const DEFAULT_REFERENCE = dlibReference(CHIP_SIZE, 0.25, 0.57);

/**
 * Refine only faces narrower than this many pixels of the stage-1 model input: a face that already
 * fills a quarter of BlazeFace's 256-pixel input has precise keypoints (measured: no gain, one run more).
 */
export const REFINE_BELOW_INPUT_PX = 64;

/** How much larger than the stage-1 box the refinement square is. */
export const REFINE_PAD = 2.0;

const SESSION_OPTS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  // UltraFace's graph lists its weights as inputs; ORT warns about each one at load.
  logSeverityLevel: 3,
};

export class FacePipeline {
  private readonly blazeIn = new Float32Array(BLAZE_SIZE * BLAZE_SIZE * 3);
  private readonly ultraIn = new Float32Array(ULTRA_W * ULTRA_H * 3);
  private readonly chipIn = new Float32Array(CHIP_SIZE * CHIP_SIZE * 3);

  private constructor(
    private readonly blaze: ort.InferenceSession,
    private readonly ultra: ort.InferenceSession | null,
    private readonly dlib: ort.InferenceSession | null,
  ) {}

  static async load(paths: FaceModelPaths, opts: ort.InferenceSession.SessionOptions = {}): Promise<FacePipeline> {
    const o = { ...SESSION_OPTS, ...opts };
    const blaze = await ort.InferenceSession.create(paths.blazeface, o);
    const ultra = paths.ultraface ? await ort.InferenceSession.create(paths.ultraface, o) : null;
    const dlib = paths.descriptor ? await ort.InferenceSession.create(paths.descriptor, o) : null;
    return new FacePipeline(blaze, ultra, dlib);
  }

  async release(): Promise<void> {
    await Promise.all([this.blaze.release(), this.ultra?.release(), this.dlib?.release()]);
  }

  async analyze(img: PackedImage, opts: FaceAnalyzeOptions = {}): Promise<AnalyzeResult> {
    checkImage(img);
    const t0 = performance.now();
    const tm: AnalyzeTimings = { detectMs: 0, refineMs: 0, alignMs: 0, describeMs: 0, totalMs: 0, runs: 0, sessionMs: 0 };
    const detector = opts.detector ?? 'blazeface';
    const regions = opts.regions?.length ? opts.regions.map((r) => clipBox(r, img.width, img.height)) : [[0, 0, img.width, img.height] as Box];

    // Stage 1: faces in each region, in source pixels.
    let found: (FaceCandidate & { inputPx?: number })[] = [];
    for (const r of regions) {
      if (boxWidth(r) < 4 || boxHeight(r) < 4) continue;
      found.push(...(detector === 'ultraface' ? await this.ultraRegion(img, r, opts, tm) : await this.blazeRegion(img, r, opts.scoreThreshold ?? 0.5, tm)));
    }
    found = nms(found, 0.3).slice(0, opts.maxFaces ?? 8);
    const t1 = performance.now();
    tm.detectMs = t1 - t0;

    const faces: AnalyzedFace[] = [];
    for (const cand of found) {
      // Stage 2: keypoints from a square around the face.
      let face = cand;
      if (opts.refine !== false && !(cand.keypoints && (cand.inputPx ?? 0) >= REFINE_BELOW_INPUT_PX)) {
        const r0 = performance.now();
        const refined = await this.refine(img, cand, tm);
        tm.refineMs += performance.now() - r0;
        if (refined) face = refined;
      }
      faces.push(await this.finish(img, face, opts, tm));
    }
    tm.totalMs = performance.now() - t0;
    return { faces, timings: tm };
  }

  /** Run BlazeFace on a square region (letterboxed) and map the faces back to source pixels. */
  private async blazeRegion(img: PackedImage, r: Box, threshold: number, tm: AnalyzeTimings): Promise<(FaceCandidate & { inputPx: number })[]> {
    const lb = letterbox(r[0], r[1], boxWidth(r), boxHeight(r), BLAZE_SIZE, BLAZE_SIZE);
    sampleAffine(img, lb.map, BLAZE_SIZE, BLAZE_SIZE, this.blazeIn, { layout: 'hwc', mul: BLAZE_MUL, add: BLAZE_ADD, fill: 0, maxSupersample: 1 });
    const s0 = performance.now();
    const out = await this.blaze.run({ input: new ort.Tensor('float32', this.blazeIn, [1, BLAZE_SIZE, BLAZE_SIZE, 3]) });
    tm.sessionMs += performance.now() - s0;
    tm.runs++;
    const dets = decodeBlazeFace(
      out.Identity!.data as Float32Array,
      out.Identity_1!.data as Float32Array,
      out.Identity_2!.data as Float32Array,
      out.Identity_3!.data as Float32Array,
      { scoreThreshold: threshold },
    );
    const S = BLAZE_SIZE;
    return dets.map((d) => {
      const [x1, y1] = fromInput(lb, d.box[0] * S, d.box[1] * S);
      const [x2, y2] = fromInput(lb, d.box[2] * S, d.box[3] * S);
      return { box: [x1, y1, x2, y2], score: d.score, keypoints: d.keypoints!.map(([x, y]) => fromInput(lb, x * S, y * S)), inputPx: (d.box[2] - d.box[0]) * S };
    });
  }

  private async ultraRegion(img: PackedImage, r: Box, opts: FaceAnalyzeOptions, tm: AnalyzeTimings): Promise<FaceCandidate[]> {
    if (!this.ultra) throw new Error('the UltraFace model was not loaded');
    const lb = letterbox(r[0], r[1], boxWidth(r), boxHeight(r), ULTRA_W, ULTRA_H);
    sampleAffine(img, lb.map, ULTRA_W, ULTRA_H, this.ultraIn, { layout: 'chw', mul: ULTRA_MUL, add: ULTRA_ADD, fill: 0, maxSupersample: 1 });
    const s0 = performance.now();
    const out = await this.ultra.run({ input: new ort.Tensor('float32', this.ultraIn, [1, 3, ULTRA_H, ULTRA_W]) });
    tm.sessionMs += performance.now() - s0;
    tm.runs++;
    const dets = decodeUltraFace(out.scores!.data as Float32Array, out.boxes!.data as Float32Array, { scoreThreshold: opts.scoreThreshold ?? 0.7 });
    return dets.map((d) => {
      const [x1, y1] = fromInput(lb, d.box[0] * ULTRA_W, d.box[1] * ULTRA_H);
      const [x2, y2] = fromInput(lb, d.box[2] * ULTRA_W, d.box[3] * ULTRA_H);
      return { box: [x1, y1, x2, y2], score: d.score };
    });
  }

  /** BlazeFace on a square REFINE_PAD × the face, centred on it; the face that overlaps the stage-1 box most. */
  private async refine(img: PackedImage, cand: FaceCandidate, tm: AnalyzeTimings): Promise<FaceCandidate | null> {
    const side = Math.max(boxWidth(cand.box), boxHeight(cand.box)) * REFINE_PAD;
    const cx = (cand.box[0] + cand.box[2]) / 2;
    const cy = (cand.box[1] + cand.box[3]) / 2;
    const sq: Box = [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2];
    // The square may reach past the picture: sampleAffine pads with black, as a letterbox would.
    const found = await this.blazeRegion(img, sq, 0.4, tm);
    let best: FaceCandidate | null = null;
    let bestIou = 0.2;
    for (const f of found) {
      const o = iou(f.box, cand.box);
      if (o > bestIou) {
        bestIou = o;
        best = f;
      }
    }
    // Keep the stage-1 score (the refined one is on a different crop).
    return best ? { ...best, score: Math.max(cand.score, best.score) } : null;
  }

  private async finish(img: PackedImage, face: FaceCandidate, opts: FaceAnalyzeOptions, tm: AnalyzeTimings): Promise<AnalyzedFace> {
    const sizePx = boxWidth(face.box);
    const kps = face.keypoints ?? null;
    if (!kps) {
      return { box: face.box, score: face.score, keypoints: null, descriptor: null, quality: faceQuality({ sizePx, sharpness: 0, detectorScore: face.score }) };
    }
    const a0 = performance.now();
    const { toImage } = chipTransform(kps, { reference: opts.reference ?? DEFAULT_REFERENCE, noNose: opts.noNose });
    sampleAffine(img, toImage, CHIP_SIZE, CHIP_SIZE, this.chipIn, { layout: 'hwc', mul: 1, add: 0, fill: 0, maxSupersample: 2 });
    const sharpness = laplacianVariance(lumaHwc(this.chipIn, CHIP_SIZE, CHIP_SIZE), CHIP_SIZE, CHIP_SIZE);
    const quality = faceQuality({ sizePx, keypoints: kps, sharpness, detectorScore: face.score });
    const chip = opts.chips ? Uint8Array.from(this.chipIn, (v) => Math.max(0, Math.min(255, Math.round(v)))) : undefined;
    tm.alignMs += performance.now() - a0;
    let descriptor: Float32Array | null = null;
    if (opts.describe !== false && sizePx >= (opts.minDescribePx ?? 0)) descriptor = await this.describe(tm);
    return { box: face.box, score: face.score, keypoints: kps, quality, descriptor, ...(chip ? { chip } : {}) };
  }

  /** The descriptor of the chip now in chipIn. */
  private async describe(tm: AnalyzeTimings): Promise<Float32Array> {
    if (!this.dlib) throw new Error('the descriptor model was not loaded');
    const d0 = performance.now();
    const out = await this.dlib.run({ input: new ort.Tensor('float32', this.chipIn, [1, CHIP_SIZE, CHIP_SIZE, 3]) });
    const ms = performance.now() - d0;
    tm.sessionMs += ms;
    tm.describeMs += ms;
    tm.runs++;
    return Float32Array.from(out.descriptor!.data as Float32Array);
  }
}
