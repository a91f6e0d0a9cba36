/**
 * Playback over HTTP, under /api/media/<cameraId>/ (the transport checks the
 * session first). See docs/recording.md, "Playback API":
 *
 *   map.json?from=ISO&to=ISO        segment map for MSE: ids, times, codecs, URLs, gaps
 *   init/<id>.mp4                   init segment (ftyp+moov, no edit lists) of segment <id>
 *   init.mp4?at=ISO                 init segment of the segment at (or next after) a time
 *   segment/<id>.m4s?origin=MS      media fragments of segment <id>, decode times moved so
 *                                   media time 0 = wall time `origin` (ms since the epoch; default 0)
 *   vod.m3u8?from=ISO&to=ISO        HLS VOD playlist (fMP4, EXT-X-MAP, PROGRAM-DATE-TIME, DISCONTINUITY at gaps)
 *   stream.mp4?from=ISO&to=ISO      one continuous fMP4 of the range (gaps closed up)
 *   snapshot.jpg[?at=ISO]           a JPEG of the frame at a time; without `at` the live edge, else the last recorded frame
 *   file/<id>.mp4                   the segment file as recorded (Range requests)
 */
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import { ApiError, type MediaMap } from '../../api/contract.js';
import type { Db } from '../store/db.js';
import { readHeader, walkBuffer, walkFile, type Mp4Info } from '../media/boxes.js';
import { cleanInit, retimeMoof } from '../media/fmp4.js';
import { extractJpeg } from '../media/snapshot.js';
import type { ChildRegistry } from '../process/children.js';
import type { LiveHub } from '../live/hub.js';
import { logger } from '../log.js';
import { gapsIn, segmentById, segmentsIn, type SegmentDetail } from './query.js';

const log = logger('media');

export interface MediaDeps {
  db: Db;
  recordingsRoot: string;
  ffmpeg: () => string | null;
  children: ChildRegistry;
  cameraExists: (id: string) => boolean;
  liveHub: (id: string) => LiveHub | null;
}

/** Longest range one request may cover. */
const MAX_RANGE_MS = 7 * 86_400_000;
/** A hole longer than this between segments is a discontinuity. */
const DISCONTINUITY_MS = 250;

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendError(res: http.ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof ApiError) return sendJson(res, err.status, { error: err.toBody() });
  log.error('media request failed', err);
  sendJson(res, 500, { error: { code: 'internal', message: 'internal error; see the engine log' } });
}

function timeParam(url: URL, name: string, required: boolean): number | null {
  const v = url.searchParams.get(name);
  if (v === null || v === '') {
    if (required) throw new ApiError('bad_request', `${name}: missing; give an ISO 8601 time such as 2026-11-26T08:00:00Z`, name);
    return null;
  }
  const t = /^\d{10,}$/.test(v) ? Number(v) : Date.parse(v);
  if (Number.isNaN(t))
    throw new ApiError('bad_request', `${name}: "${v.slice(0, 40)}" is not a time; use ISO 8601 such as 2026-11-26T08:00:00Z`, name);
  return t;
}

function rangeParams(url: URL): { from: number; to: number } {
  const from = timeParam(url, 'from', true)!;
  const to = timeParam(url, 'to', true)!;
  if (to <= from) throw new ApiError('bad_request', 'to must be after from', 'to');
  if (to - from > MAX_RANGE_MS) throw new ApiError('bad_request', 'the range is longer than 7 days; ask for less at a time', 'to');
  return { from, to };
}

/** Small cache of walked segment files (they never change once indexed). */
class WalkCache {
  private m = new Map<string, Mp4Info>();
  get(file: string): Mp4Info {
    let v = this.m.get(file);
    if (!v) {
      v = walkFile(file);
      this.m.set(file, v);
      if (this.m.size > 512) this.m.delete(this.m.keys().next().value!);
    }
    return v;
  }
}

export class MediaRoutes {
  private walks = new WalkCache();
  constructor(private readonly d: MediaDeps) {}

  /** True when the path is ours (a response is then always sent). */
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
    const m = /^\/api\/media\/([a-z0-9][a-z0-9-]{0,79})\/(.+)$/.exec(url.pathname);
    if (!m) return false;
    const cameraId = m[1]!;
    const rest = m[2]!;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: { code: 'bad_request', message: 'use GET' } });
      return true;
    }
    this.route(req, res, url, cameraId, rest).catch((err) => sendError(res, err));
    return true;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, url: URL, cameraId: string, rest: string): Promise<void> {
    if (!this.d.cameraExists(cameraId)) throw new ApiError('not_found', `no camera with id "${cameraId}"`);
    let m: RegExpExecArray | null;
    if (rest === 'map.json') return this.map(res, url, cameraId);
    if (rest === 'vod.m3u8') return this.vod(res, url, cameraId);
    if (rest === 'stream.mp4') return this.stream(res, url, cameraId);
    if (rest === 'snapshot.jpg') return this.snapshot(res, url, cameraId);
    if (rest === 'init.mp4') {
      const at = timeParam(url, 'at', true)!;
      const seg = segmentsIn(this.d.db, cameraId, at, at + 86_400_000)[0];
      if (!seg) throw new ApiError('not_found', `nothing recorded at or after ${new Date(at).toISOString()}`);
      return this.init(res, seg);
    }
    if ((m = /^init\/(\d+)\.mp4$/.exec(rest))) return this.init(res, this.segment(cameraId, Number(m[1])));
    if ((m = /^segment\/(\d+)\.m4s$/.exec(rest))) {
      const origin = timeParam(url, 'origin', false) ?? 0;
      return this.media(res, this.segment(cameraId, Number(m[1])), origin);
    }
    if ((m = /^file\/(\d+)\.mp4$/.exec(rest))) return this.file(req, res, this.segment(cameraId, Number(m[1])));
    throw new ApiError('not_found', `no media route /api/media/${cameraId}/${rest}; see docs/recording.md`);
  }

  private segment(cameraId: string, id: number): SegmentDetail {
    const s = segmentById(this.d.db, id);
    if (!s || s.cameraId !== cameraId)
      throw new ApiError('not_found', `no segment ${id} of camera "${cameraId}"; it may have been deleted by retention`);
    return s;
  }

  private abs(s: SegmentDetail): string {
    return path.join(this.d.recordingsRoot, s.rel);
  }

  private readSegment(s: SegmentDetail): { buf: Buffer; info: Mp4Info } {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.abs(s));
    } catch {
      throw new ApiError('not_found', `the file of segment ${s.id} is missing; run "gatehouse index rebuild" if files were moved`);
    }
    return { buf, info: walkBuffer(buf) };
  }

  private map(res: http.ServerResponse, url: URL, cameraId: string): void {
    const { from, to } = rangeParams(url);
    const base = `/api/media/${cameraId}`;
    const segs = segmentsIn(this.d.db, cameraId, from, to);
    // media times must not be negative: a segment straddling `from` moves the default origin back
    const origin = timeParam(url, 'origin', false) ?? Math.min(from, segs[0]?.startMs ?? from);
    if (segs[0] && segs[0].startMs < origin)
      throw new ApiError(
        'bad_request',
        `origin must not be after ${new Date(segs[0].startMs).toISOString()}, the start of the first segment in the range`,
        'origin',
      );
    const body: MediaMap = {
      cameraId,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      originMs: origin,
      segments: segs.map((s) => ({
        id: s.id,
        start: new Date(s.startMs).toISOString(),
        end: new Date(s.endMs).toISOString(),
        startMs: s.startMs,
        endMs: s.endMs,
        mediaStart: (s.startMs - origin) / 1000,
        mediaEnd: (s.endMs - origin) / 1000,
        bytes: s.bytes,
        codec: s.codec,
        mime: `video/mp4; codecs="${s.codec ?? 'avc1.640028'}"`,
        width: s.width,
        height: s.height,
        initHash: s.initHash,
        locked: s.locked,
        init: `${base}/init/${s.id}.mp4`,
        url: `${base}/segment/${s.id}.m4s?origin=${origin}`,
      })),
      gaps: gapsIn(this.d.db, cameraId, from, to).map((g) => ({
        start: new Date(g.startMs).toISOString(),
        end: new Date(g.endMs).toISOString(),
        reason: g.reason,
        open: g.open,
      })),
      vod: `${base}/vod.m3u8?from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`,
    };
    sendJson(res, 200, body);
  }

  private init(res: http.ServerResponse, s: SegmentDetail): void {
    const fd = this.openOr404(s);
    try {
      const info = this.walks.get(this.abs(s));
      const head = Buffer.alloc(info.initEnd);
      fs.readSync(fd, head, 0, info.initEnd, 0);
      const init = cleanInit(head);
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': init.length, 'cache-control': 'private, max-age=86400' });
      res.end(init);
    } finally {
      fs.closeSync(fd);
    }
  }

  private openOr404(s: SegmentDetail): number {
    try {
      return fs.openSync(this.abs(s), 'r');
    } catch {
      throw new ApiError('not_found', `the file of segment ${s.id} is missing; run "gatehouse index rebuild" if files were moved`);
    }
  }

  /** The fragments of one segment with decode times placed on the timeline of `originMs`. */
  private fragmentsOf(s: SegmentDetail, originMs: number, placeAtMs = s.startMs): Buffer[] {
    const { buf, info } = this.readSegment(s);
    const firstBase = new Map<number, number>();
    for (const f of info.fragments) for (const t of f.trafs) if (!firstBase.has(t.trackId)) firstBase.set(t.trackId, t.baseTime);
    const scale = new Map(info.tracks.map((t) => [t.id, t.timescale]));
    const out: Buffer[] = [];
    for (const f of info.fragments) {
      const h = readHeader(buf, f.start)!;
      const moof = buf.subarray(f.start, f.start + h.size);
      const newMoof = retimeMoof(moof, (trackId, old) => {
        const ts = scale.get(trackId) ?? 90000;
        const shift = Math.round(((placeAtMs - originMs) * ts) / 1000) - (firstBase.get(trackId) ?? 0);
        return old + shift;
      });
      out.push(newMoof, buf.subarray(f.start + h.size, f.end));
    }
    return out;
  }

  private media(res: http.ServerResponse, s: SegmentDetail, originMs: number): void {
    if (s.startMs < originMs)
      throw new ApiError('bad_request', 'origin must not be after the segment start (media times cannot be negative)', 'origin');
    const parts = this.fragmentsOf(s, originMs);
    const len = parts.reduce((a, p) => a + p.length, 0);
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': len, 'cache-control': 'private, max-age=86400' });
    for (const p of parts) res.write(p);
    res.end();
  }

  private vod(res: http.ServerResponse, url: URL, cameraId: string): void {
    const { from, to } = rangeParams(url);
    const segs = segmentsIn(this.d.db, cameraId, from, to);
    const origin = segs[0]?.startMs ?? from;
    const target = Math.max(1, ...segs.map((s) => Math.ceil((s.endMs - s.startMs) / 1000)));
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      `#EXT-X-TARGETDURATION:${target}`,
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MEDIA-SEQUENCE:0',
    ];
    let prev: SegmentDetail | null = null;
    for (const s of segs) {
      const disc = prev !== null && s.startMs - prev.endMs > DISCONTINUITY_MS;
      const newInit = prev === null || s.initHash !== prev.initHash;
      if (disc || (prev && newInit)) lines.push('#EXT-X-DISCONTINUITY');
      if (newInit) lines.push(`#EXT-X-MAP:URI="init/${s.id}.mp4"`);
      if (disc || prev === null || newInit) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.startMs).toISOString()}`);
      lines.push(`#EXTINF:${((s.endMs - s.startMs) / 1000).toFixed(3)},`, `segment/${s.id}.m4s?origin=${origin}`);
      prev = s;
    }
    lines.push('#EXT-X-ENDLIST', '');
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-store' });
    res.end(lines.join('\n'));
  }

  /** One fMP4 for the whole range: the first segment's init, then every fragment, gaps closed up. */
  private stream(res: http.ServerResponse, url: URL, cameraId: string): void {
    const { from, to } = rangeParams(url);
    const segs = segmentsIn(this.d.db, cameraId, from, to);
    if (segs.length === 0) throw new ApiError('not_found', 'nothing recorded in this range');
    const first = segs[0]!;
    const fd = this.openOr404(first);
    let init: Buffer;
    try {
      const info = this.walks.get(this.abs(first));
      init = Buffer.alloc(info.initEnd);
      fs.readSync(fd, init, 0, info.initEnd, 0);
    } finally {
      fs.closeSync(fd);
    }
    res.writeHead(200, {
      'content-type': 'video/mp4',
      'cache-control': 'no-store',
      'x-gatehouse-start': new Date(first.startMs).toISOString(),
    });
    res.write(cleanInit(init));
    let place = first.startMs;
    let i = 0;
    const next = () => {
      // one segment per turn of the event loop, respecting back-pressure
      while (i < segs.length) {
        const s = segs[i++]!;
        if (s.initHash !== first.initHash) break; // codec setup changed: the stream ends here
        let parts: Buffer[];
        try {
          parts = this.fragmentsOf(s, first.startMs, place);
        } catch {
          continue;
        }
        place += s.endMs - s.startMs;
        let ok = true;
        for (const p of parts) ok = res.write(p) && ok;
        if (!ok) {
          res.once('drain', next);
          return;
        }
      }
      res.end();
    };
    res.on('close', () => {
      i = segs.length;
    });
    next();
  }

  private async snapshot(res: http.ServerResponse, url: URL, cameraId: string): Promise<void> {
    const at = timeParam(url, 'at', false);
    const widthParam = Number(url.searchParams.get('width') ?? '0');
    const maxWidth = Number.isInteger(widthParam) && widthParam >= 32 && widthParam <= 4096 ? widthParam : undefined;
    const jpg = await this.jpeg(cameraId, at, maxWidth);
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpg.length, 'cache-control': 'no-store' });
    res.end(jpg);
  }

  /**
   * A JPEG of a camera at a time (ms), or without a time the live edge (else the last recorded frame).
   * Also what notices attach (notify/). Throws an ApiError when there is no such frame.
   */
  async jpeg(cameraId: string, at: number | null, maxWidth?: number): Promise<Buffer> {
    const ff = this.d.ffmpeg();
    if (!ff) throw new ApiError('unavailable', 'ffmpeg is not available; install it (see gatehouse doctor)');
    if (!this.d.cameraExists(cameraId)) throw new ApiError('not_found', `no camera with id "${cameraId}"`);
    if (at === null) {
      const gop = this.d.liveHub(cameraId)?.currentGop();
      if (gop) return extractJpeg(ff, this.d.children, { data: Buffer.concat([gop.init, ...gop.fragments]) }, { maxWidth });
      // not live: the last recorded frame
      const last = this.d.db.prepare<[string], { id: number }>('SELECT id FROM segments WHERE camera_id = ? ORDER BY start_ms DESC LIMIT 1').get(cameraId);
      if (!last) throw new ApiError('not_found', 'this camera is not live and has nothing recorded');
      const s = segmentById(this.d.db, last.id)!;
      const info = this.walks.get(this.abs(s));
      return extractJpeg(ff, this.d.children, { file: this.abs(s), offsetSec: Math.max(0, info.durationMs / 1000 - 0.15) }, { maxWidth });
    }
    const s = segmentsIn(this.d.db, cameraId, at, at + 1).find((x) => x.startMs <= at && x.endMs > at);
    if (!s) throw new ApiError('not_found', `nothing recorded at ${new Date(at).toISOString()}`);
    return extractJpeg(ff, this.d.children, { file: this.abs(s), offsetSec: (at - s.startMs) / 1000 }, { maxWidth });
  }

  private file(req: http.IncomingMessage, res: http.ServerResponse, s: SegmentDetail): void {
    const file = this.abs(s);
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      throw new ApiError('not_found', `the file of segment ${s.id} is missing`);
    }
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (range && (range[1] || range[2])) {
      if (range[1]) {
        start = Number(range[1]);
        if (range[2]) end = Math.min(Number(range[2]), size - 1);
      } else {
        start = Math.max(0, size - Number(range[2]));
      }
      if (start > end || start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` });
        res.end();
        return;
      }
      status = 206;
    }
    const headers: Record<string, string | number> = {
      'content-type': 'video/mp4',
      'content-length': end - start + 1,
      'accept-ranges': 'bytes',
      'cache-control': 'private, max-age=86400',
      'content-disposition': `inline; filename="${path.basename(s.rel)}"`,
    };
    if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(file, { start, end })
      .on('error', () => res.destroy())
      .pipe(res);
  }
}
