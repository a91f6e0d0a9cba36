/**
 * Planning one camera's clip: which samples of which recorded segments go
 * into the exported MP4, where each lands in the output's media timeline,
 * and how that timeline maps to wall-clock time (the runs).
 *
 * Invariants (docs/export.md, "The MP4 writer"):
 *  - The clip starts at the last key frame at or before `from` (the first key
 *    frame of the first segment when `from` falls in a gap), and ends with
 *    the last frame whose presentation time is ≤ `to`.
 *  - The media timeline holds only recorded footage: a gap in the recording is
 *    not padded, the next recorded frame follows at once. `runs` say which
 *    media time is which wall-clock time; anything between runs is a gap.
 *  - A change of stream setup between segments (the video or audio sample
 *    entry, e.g. a new resolution or SPS/PPS, or audio appearing/vanishing)
 *    starts a new part: one MP4 file per part.
 *  - Audio (AAC) follows its segment's video: at every segment boundary the
 *    audio is realigned to the video by adjusting the previous audio sample's
 *    duration, so A/V offset never accumulates.
 */
import crypto from 'node:crypto';
import { ExportError } from './errors.js';
import { readSegmentMedia, SampleTable, type SegmentMedia, type TrackMedia } from './segment-media.js';

/** One recorded segment file, as the index knows it. */
export interface SourceSegment {
  /** Absolute path of the segment file. */
  path: string;
  /** Wall-clock start and end as indexed (ms since the Unix epoch, UTC). */
  startMs: number;
  endMs: number;
  /** Recording run id (segments of one run follow one clock); null when unknown. */
  runId?: string | null;
  /** Index row id, for the manifest and evidence locks. */
  id?: number;
}

/** One output track being planned. Sample `offset`s are positions inside the output mdat payload. */
export interface PlannedTrack {
  handler: 'vide' | 'soun';
  timescale: number;
  sampleEntry: Buffer;
  /** RFC 6381 codec string, e.g. avc1.640028 or mp4a.40.2. */
  codec: string;
  format: string;
  width: number | null;
  height: number | null;
  samples: SampleTable;
  /** Per output chunk: samples in it and offset in the mdat payload. */
  chunkSamples: number[];
  chunkOffsets: number[];
  /** Ticks of silence before the first sample (audio that starts after the video); 0 for video. */
  leadTicks: number;
  /** Sum of the sample durations. */
  ticks: number;
}

/** A stretch of the output's media timeline that maps linearly to wall-clock time. */
export interface PlannedRun {
  /** Media time (video ticks) of the run's first and just past its last frame. */
  mediaStart: number;
  mediaEnd: number;
  /** Wall-clock time of mediaStart (ms since the epoch, may be fractional). */
  wallStartMs: number;
  runId: string | null;
}

/** One contiguous byte range to copy from a segment file into the output mdat. */
export interface CopyOp {
  srcOffset: number;
  size: number;
  dstOffset: number;
  /** Samples in this range. */
  samples: number;
}

export interface SegmentCopy {
  file: string;
  ops: CopyOp[];
  bytes: number;
  samples: number;
}

export interface ClipPart {
  /** 1-based. */
  index: number;
  video: PlannedTrack;
  audio: PlannedTrack | null;
  copies: SegmentCopy[];
  mdatBytes: number;
  runs: PlannedRun[];
  /** Wall-clock time of the first and the last frame (presentation), ms. */
  firstFrameMs: number;
  lastFrameMs: number;
  /** Index ids of the segments used (those that have one). */
  segmentIds: number[];
  segmentFiles: string[];
  /** Why this part starts a new file (for every part after the first). */
  splitReason: string | null;
}

export interface SkippedSegment {
  segment: SourceSegment;
  reason: 'file_missing' | 'file_unreadable';
  detail: string;
}

export interface ClipPlan {
  fromMs: number;
  toMs: number;
  parts: ClipPart[];
  skipped: SkippedSegment[];
  /** Sample bytes to copy over all parts. */
  bytes: number;
  samples: number;
}

export interface PlanOptions {
  signal?: AbortSignal;
  /** Replaces the segment reader (tests). */
  read?: (file: string) => SegmentMedia;
}

function newTrack(t: TrackMedia): PlannedTrack {
  return {
    handler: t.info.handler === 'soun' ? 'soun' : 'vide',
    timescale: t.info.timescale,
    sampleEntry: t.sampleEntry,
    codec: t.info.codec ?? t.info.format,
    format: t.info.format,
    width: t.info.width,
    height: t.info.height,
    samples: new SampleTable(),
    chunkSamples: [],
    chunkOffsets: [],
    leadTicks: 0,
    ticks: 0,
  };
}

function setupKey(m: SegmentMedia): string {
  const h = crypto.createHash('sha1');
  const v = m.video!;
  h.update(`v${v.info.timescale}|`).update(v.sampleEntry);
  if (m.audio) h.update(`|a${m.audio.info.timescale}|`).update(m.audio.sampleEntry);
  else h.update('|no-audio');
  return h.digest('hex');
}

function describeChange(prev: ClipPart, m: SegmentMedia): string {
  const v = m.video!;
  const pv = prev.video;
  const why: string[] = [];
  if (pv.width !== v.info.width || pv.height !== v.info.height) why.push(`video size ${pv.width}×${pv.height} → ${v.info.width}×${v.info.height}`);
  if (pv.codec !== (v.info.codec ?? v.info.format)) why.push(`video codec ${pv.codec} → ${v.info.codec ?? v.info.format}`);
  if (!why.length && (pv.timescale !== v.info.timescale || !pv.sampleEntry.equals(v.sampleEntry))) why.push('video stream parameters (SPS/PPS) changed');
  const pa = prev.audio;
  if (!pa && m.audio) why.push(`audio starts (${m.audio.info.codec ?? m.audio.info.format})`);
  else if (pa && !m.audio) why.push('audio stops');
  else if (pa && m.audio && (pa.timescale !== m.audio.info.timescale || !pa.sampleEntry.equals(m.audio.sampleEntry))) why.push('audio parameters changed');
  return why.join('; ') || 'stream parameters changed';
}

/** Duration of sample i in its segment: the distance to the next decode time, else its own. */
function durAt(s: SampleTable, i: number): number {
  if (i + 1 < s.count) {
    const d = s.dts[i + 1]! - s.dts[i]!;
    if (d > 0 && d <= 0xffffffff) return d;
  }
  return s.dur[i]!;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * Plan the clip of one camera over [fromMs, toMs] from its segments (any
 * order; those outside the range are ignored). Reads each segment's boxes
 * (not its sample data). Throws ExportError 'no_footage' when no frame of
 * the range was recorded.
 */
export async function planClip(segments: SourceSegment[], fromMs: number, toMs: number, opts: PlanOptions = {}): Promise<ClipPlan> {
  if (!(toMs > fromMs)) throw new ExportError('bad_range', `the range ends (${new Date(toMs).toISOString()}) before it starts (${new Date(fromMs).toISOString()})`);
  const read = opts.read ?? readSegmentMedia;
  const sorted = segments.filter((s) => s.endMs > fromMs && s.startMs <= toMs).sort((a, b) => a.startMs - b.startMs);
  const parts: ClipPart[] = [];
  const skipped: SkippedSegment[] = [];
  let part: ClipPart | null = null;
  let partKey = '';
  let started = false;
  let n = 0;
  for (const seg of sorted) {
    if (opts.signal?.aborted) throw new ExportError('aborted', 'the export was cancelled');
    if (++n % 16 === 0) await tick();
    let m: SegmentMedia;
    try {
      m = read(seg.path);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      skipped.push({ segment: seg, reason: e.code === 'ENOENT' ? 'file_missing' : 'file_unreadable', detail: e.message });
      continue;
    }
    const v = m.video;
    if (!v) {
      skipped.push({ segment: seg, reason: 'file_unreadable', detail: `${seg.path}: no complete video fragment` });
      continue;
    }
    const s = v.samples;
    const T = v.info.timescale;
    const pts0 = s.dts[0]! + s.cto[0]!;
    const wall = (i: number) => seg.startMs + ((s.dts[i]! + s.cto[i]! - pts0) * 1000) / T;
    let i0 = -1;
    if (!started) {
      for (let i = 0; i < s.count; i++) {
        if (!s.sync[i]) continue;
        if (wall(i) <= fromMs || i0 < 0) i0 = i;
        if (wall(i) > fromMs) break;
      }
    } else {
      for (let i = 0; i < s.count; i++) {
        if (s.sync[i]) {
          i0 = i;
          break;
        }
      }
    }
    if (i0 < 0) {
      skipped.push({ segment: seg, reason: 'file_unreadable', detail: `${seg.path}: no key frame` });
      continue;
    }
    let i1 = -1;
    for (let i = i0; i < s.count; i++) {
      const w = wall(i);
      if (w <= toMs && w < seg.endMs) i1 = i;
    }
    if (i1 < i0) continue;
    started = true;

    const key = setupKey(m);
    if (!part || key !== partKey) {
      const splitReason: string | null = part ? describeChange(part, m) : null;
      part = {
        index: parts.length + 1,
        video: newTrack(v),
        audio: m.audio ? newTrack(m.audio) : null,
        copies: [],
        mdatBytes: 0,
        runs: [],
        firstFrameMs: wall(i0),
        lastFrameMs: wall(i0),
        segmentIds: [],
        segmentFiles: [],
        splitReason,
      };
      parts.push(part);
      partKey = key;
    }
    appendSegment(part, seg, m, i0, i1, wall);
  }
  if (!parts.length) {
    const why = skipped.length ? ` (${skipped.length} segment file(s) could not be read: ${skipped[0]!.detail})` : '';
    throw new ExportError('no_footage', `no recorded footage between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}${why}`);
  }
  let bytes = 0;
  let samples = 0;
  for (const p of parts) {
    bytes += p.mdatBytes;
    samples += p.video.samples.count + (p.audio?.samples.count ?? 0);
  }
  return { fromMs, toMs, parts, skipped, bytes, samples };
}

function appendSegment(part: ClipPart, seg: SourceSegment, m: SegmentMedia, i0: number, i1: number, wall: (i: number) => number): void {
  const v = m.video!;
  const s = v.samples;
  const T = v.info.timescale;
  const out = part.video;
  const mediaStart = out.ticks;
  // runs: extend the last one when this segment follows it on the same clock
  const startWall = wall(i0);
  const frameMs = (s.dur[i0]! * 1000) / T;
  const last = part.runs[part.runs.length - 1];
  const runId = seg.runId ?? null;
  if (last && last.runId === runId && Math.abs(startWall - (last.wallStartMs + ((mediaStart - last.mediaStart) * 1000) / T)) <= 1.5 * frameMs + 5) {
    // same clock, contiguous: extended below
  } else {
    part.runs.push({ mediaStart, mediaEnd: mediaStart, wallStartMs: startWall, runId });
  }
  // video samples
  const ops: { track: PlannedTrack; src: number; size: number; count: number }[] = [];
  const collect = (track: PlannedTrack, t: SampleTable, a: number, b: number) => {
    let chunkStart = a;
    for (let i = a; i <= b; i++) {
      const next = i + 1;
      if (next > b || t.offset[next] !== t.offset[i]! + t.size[i]!) {
        let size = 0;
        for (let k = chunkStart; k <= i; k++) size += t.size[k]!;
        ops.push({ track, src: t.offset[chunkStart]!, size, count: i - chunkStart + 1 });
        chunkStart = next;
      }
    }
  };
  for (let i = i0; i <= i1; i++) {
    const d = durAt(s, i);
    out.samples.push(0, d, s.size[i]!, 0, s.cto[i]!, s.sync[i] === 1);
    out.ticks += d;
    const w = wall(i);
    if (w > part.lastFrameMs) part.lastFrameMs = w;
  }
  collect(out, s, i0, i1);
  part.runs[part.runs.length - 1]!.mediaEnd = out.ticks;

  // audio: the samples whose start lies in this segment's video window, aligned to the video
  const a = m.audio;
  if (a && part.audio) {
    const at = a.samples;
    const Ta = a.info.timescale;
    const vStart = s.dts[i0]! / T;
    const vEnd = (s.dts[i1]! + durAt(s, i1)) / T;
    let j0 = -1;
    let j1 = -1;
    for (let j = 0; j < at.count; j++) {
      const half = at.dur[j]! / Ta / 2;
      const t = at.dts[j]! / Ta;
      if (t >= vStart - half && t < vEnd - half) {
        if (j0 < 0) j0 = j;
        j1 = j;
      }
    }
    if (j0 >= 0) {
      const oa = part.audio;
      const desired = Math.round((mediaStart / T + (at.dts[j0]! / Ta - vStart)) * Ta);
      if (oa.samples.count === 0) {
        oa.leadTicks = Math.max(0, desired);
        oa.ticks = oa.leadTicks;
      } else {
        const lastIdx = oa.samples.count - 1;
        const delta = desired - oa.ticks;
        const nd = Math.max(1, oa.samples.dur[lastIdx]! + delta);
        oa.ticks += nd - oa.samples.dur[lastIdx]!;
        oa.samples.dur[lastIdx] = nd;
      }
      for (let j = j0; j <= j1; j++) {
        const d = durAt(at, j);
        oa.samples.push(0, d, at.size[j]!, 0, at.cto[j]!, true);
        oa.ticks += d;
      }
      collect(oa, at, j0, j1);
    }
  }

  // copy ops in source order (video and audio interleaved as recorded)
  ops.sort((x, y) => x.src - y.src);
  const copy: SegmentCopy = { file: m.file, ops: [], bytes: 0, samples: 0 };
  for (const o of ops) {
    const t = o.track;
    t.chunkSamples.push(o.count);
    t.chunkOffsets.push(part.mdatBytes);
    copy.ops.push({ srcOffset: o.src, size: o.size, dstOffset: part.mdatBytes, samples: o.count });
    copy.bytes += o.size;
    copy.samples += o.count;
    part.mdatBytes += o.size;
  }
  part.copies.push(copy);
  if (seg.id !== undefined) part.segmentIds.push(seg.id);
  part.segmentFiles.push(m.file);
}

/** Wall-clock ms of media time `ticks` in a part, or null when it is not inside a run. */
export function wallAt(part: ClipPart, ticks: number): number | null {
  const T = part.video.timescale;
  for (const r of part.runs) if (ticks >= r.mediaStart && ticks < r.mediaEnd) return r.wallStartMs + ((ticks - r.mediaStart) * 1000) / T;
  return null;
}

/** Media time (seconds) of wall-clock `ms` in a part: inside a run, or the start of the next run; null past the end. */
export function mediaAt(part: ClipPart, ms: number): number | null {
  const T = part.video.timescale;
  for (const r of part.runs) {
    const endMs = r.wallStartMs + ((r.mediaEnd - r.mediaStart) * 1000) / T;
    if (ms < r.wallStartMs) return r.mediaStart / T;
    if (ms < endMs) return (r.mediaStart + ((ms - r.wallStartMs) * T) / 1000) / T;
  }
  return null;
}
