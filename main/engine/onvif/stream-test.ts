/**
 * "Test connection" for a camera URL: ffprobe for codec, resolution and
 * frame rate, then one decoded frame as a JPEG snapshot. Both run under a
 * hard deadline; each failure gets a message that says what to check.
 * With a password, both reach the camera through a relay of their own
 * (../rtsp/), so it never appears on a command line.
 */
import type { ChildProcess } from 'node:child_process';
import { ApiError, splitUrlCredentials } from '../../api/contract.js';
import type { StreamTestResult } from '../../api/onvif.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { ChildRegistry } from '../process/children.js';
import { redact } from '../log.js';
import { needsRelay, withRelay, type CameraRelay } from '../rtsp/index.js';

export interface StreamTestInput {
  url: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
}

function run(children: ChildRegistry, tag: string, cmd: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = children.spawn(tag, cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ code: -1, stdout: Buffer.alloc(0), stderr: String((err as Error).message), timedOut: false });
      return;
    }
    const out: Buffer[] = [];
    let outSize = 0;
    let err = '';
    let timedOut = false;
    child.stdout?.on('data', (c: Buffer) => {
      outSize += c.length;
      if (outSize <= 8 * 1024 * 1024) out.push(c);
    });
    child.stderr?.on('data', (c: Buffer) => {
      if (err.length < 64 * 1024) err += c.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      children.kill(child, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => {
      err += String(e.message);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err, timedOut });
    });
  });
}

/** Turn ffmpeg's stderr into one specific message. */
export function explainFfmpegError(stderr: string, url: string, timedOut: boolean, timeoutMs: number): ApiError {
  const host = hostOf(url);
  const s = stderr;
  if (/401 Unauthorized|Unauthorized|authorization failed/i.test(s)) return new ApiError('bad_request', `${host} refused the username or password (RTSP 401): check them`, 'password');
  if (/403 Forbidden/i.test(s)) return new ApiError('bad_request', `${host} forbids this stream to this user (403): check the user's rights in the camera`, 'username');
  if (/404 Not Found|Stream not found|method DESCRIBE failed: 4\d\d/i.test(s)) return new ApiError('bad_request', `${host} has no stream at that path (404): check the path after the port`, 'url');
  if (/Connection refused/i.test(s)) return new ApiError('unavailable', `nothing accepts connections at ${host} (connection refused): check the address and port (RTSP is usually 554)`, 'url');
  if (/No route to host|Network is unreachable|Host is unreachable/i.test(s)) return new ApiError('unavailable', `${host} is unreachable: check that the camera is powered and on this network`, 'url');
  if (/Name or service not known|Temporary failure in name resolution|Failed to resolve/i.test(s)) return new ApiError('bad_request', `the host name in ${host} could not be resolved; use the camera's IP address`, 'url');
  if (/does not contain any stream|no video|Output file #0 does not contain|matches no streams/i.test(s)) return new ApiError('bad_request', `${host} sends no video on this stream: pick another stream or profile`, 'url');
  if (/Invalid data found|could not find codec parameters|Unsupported codec/i.test(s)) return new ApiError('bad_request', `${host} answered, but not with a video stream Gatehouse can read: ${lastLine(s)}`, 'url');
  if (timedOut || /timed out|Connection timed out/i.test(s)) return new ApiError('unavailable', `no video from ${host} within ${Math.round(timeoutMs / 1000)} s: the camera is slow or silent; check the URL and that the camera is not at its client limit`, 'url');
  return new ApiError('unavailable', `could not open the stream at ${host}: ${lastLine(s) || 'ffprobe failed without a message'}`, 'url');
}

function lastLine(s: string): string {
  const lines = redact(s).trim().split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}

function fps(rate: string | undefined): number | null {
  if (!rate) return null;
  const [n, d] = rate.split('/').map(Number);
  if (!n || !d) return null;
  return Math.round((n / d) * 100) / 100;
}

export async function testStream(ff: FfmpegPaths | null, children: ChildRegistry, input: StreamTestInput): Promise<StreamTestResult> {
  if (!ff) throw new ApiError('unavailable', 'ffmpeg/ffprobe were not found, so streams cannot be tested; run "gatehouse doctor"');
  // Credentials pasted inside the URL are used like the fields' (the camera form moves them there too).
  const inUrl = splitUrlCredentials(input.url);
  const url = (inUrl?.url ?? input.url).trim();
  if (!/^(rtsp|rtsps|http|https):\/\/[^\s]+$/i.test(url)) throw new ApiError('bad_request', 'url: give an rtsp://, rtsps://, http:// or https:// address', 'url');
  const timeoutMs = input.timeoutMs ?? 10_000;
  // Pasted credentials win only when the fields are empty (as the camera form does).
  const creds: StreamTestInput = { ...input, url, username: input.username || inUrl?.username || undefined, password: input.username ? input.password : (inUrl?.password ?? undefined) };
  if (!needsRelay(url, creds.username)) return testThrough(null, ff, children, url, creds, timeoutMs);
  return withRelay((relay) => testThrough(relay, ff, children, url, creds, timeoutMs));
}

async function testThrough(relay: CameraRelay | null, ff: FfmpegPaths, children: ChildRegistry, url: string, input: StreamTestInput, timeoutMs: number): Promise<StreamTestResult> {
  const rtsp = /^rtsps?:/i.test(url);
  const ioTimeoutMs = Math.max(1, Math.floor(timeoutMs * 0.8));
  const ioTimeoutUs = String(ioTimeoutMs * 1000);
  /** One relay token per process (RTSP tokens admit one connection); ffmpeg's words about it name the camera, not the relay. */
  const via = async (tag: string, cmd: string, args: (input: string[]) => string[], limitMs: number): Promise<Run> => {
    if (!relay) {
      const inputArgs = [...(rtsp ? ['-rtsp_transport', 'tcp', '-timeout', ioTimeoutUs] : ['-rw_timeout', ioTimeoutUs]), '-i', url];
      return run(children, tag, cmd, args(inputArgs), limitMs);
    }
    const lease = relay.lease({ url, username: input.username || null, password: input.password ?? null }, { connectTimeoutMs: ioTimeoutMs });
    try {
      const inputArgs = [...(rtsp ? ['-rtsp_transport', 'tcp', '-timeout', ioTimeoutUs] : ['-rw_timeout', ioTimeoutUs]), '-i', lease.url];
      const r = await run(children, tag, cmd, args(inputArgs), limitMs);
      return { ...r, stderr: r.stderr.split(lease.url).join(url) };
    } finally {
      lease.release();
    }
  };
  const started = Date.now();
  const probe = await via(
    'stream-test-ffprobe',
    ff.ffprobe,
    (inputArgs) => ['-hide_banner', '-v', 'error', '-probesize', '2000000', '-analyzeduration', '3000000', ...inputArgs, '-show_entries', 'stream=codec_type,codec_name,profile,width,height,avg_frame_rate,r_frame_rate', '-of', 'json'],
    timeoutMs,
  );
  if (probe.code !== 0 || probe.timedOut) throw explainFfmpegError(probe.stderr, url, probe.timedOut, timeoutMs);
  let streams: { codec_type?: string; codec_name?: string; profile?: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string }[] = [];
  try {
    streams = (JSON.parse(probe.stdout.toString('utf8')) as { streams?: typeof streams }).streams ?? [];
  } catch {
    throw new ApiError('unavailable', `ffprobe returned unreadable output for ${hostOf(url)}`);
  }
  const v = streams.find((s) => s.codec_type === 'video');
  const a = streams.find((s) => s.codec_type === 'audio');
  if (!v) throw new ApiError('bad_request', `${hostOf(url)} sends no video on this stream${a ? ` (only ${a.codec_name} audio)` : ''}: pick another stream or profile`, 'url');
  const notes: string[] = [];
  if (v.codec_name === 'hevc') notes.push('H.265: records fine, but browsers play only H.264 live; give an H.264 sub stream for the live grid');
  else if (v.codec_name && v.codec_name !== 'h264') notes.push(`${v.codec_name} video: Gatehouse records and plays H.264 (and records H.265); set the camera to H.264`);
  if (a && /pcm_(mulaw|alaw)/.test(a.codec_name ?? '')) notes.push('G.711 audio cannot be stored in MP4 as it is: it will be converted to AAC or dropped');

  let snapshot: string | null = null;
  const left = timeoutMs - (Date.now() - started);
  if (left > 1000) {
    const snap = await via(
      'stream-test-snapshot',
      ff.ffmpeg,
      (inputArgs) => ['-hide_banner', '-v', 'error', ...inputArgs, '-an', '-frames:v', '1', '-vf', "scale='min(640,iw)':-2", '-f', 'image2', '-c:v', 'mjpeg', '-q:v', '5', 'pipe:1'],
      Math.max(left, 3000),
    );
    if (snap.code === 0 && snap.stdout.length > 100) snapshot = `data:image/jpeg;base64,${snap.stdout.toString('base64')}`;
    else notes.push(`no snapshot: ${snap.timedOut ? 'no decodable frame in time' : lastLine(snap.stderr) || 'ffmpeg could not decode a frame'}`);
  } else notes.push('no snapshot: the probe used up the time');
  return {
    ok: true,
    codec: v.codec_name ?? null,
    profile: v.profile ?? null,
    width: v.width ?? null,
    height: v.height ?? null,
    fps: fps(v.avg_frame_rate) ?? fps(v.r_frame_rate),
    audio: a?.codec_name ?? null,
    snapshot,
    notes,
  };
}
