/**
 * Turning ffmpeg's stderr into camera states, gap reasons and messages that
 * tell a guard or an admin what to do. Also parses the input stream listing
 * (codec, resolution, frame rate, audio).
 */
import type { CameraState, GapReason } from '../../api/contract.js';
import { redact } from '../log.js';

export interface Failure {
  state: Exclude<CameraState, 'recording' | 'connecting' | 'disabled'>;
  reason: GapReason;
  message: string;
  /** The audio codec could not be copied into MP4: retry at once with AAC. */
  transcodeAudio?: boolean;
  /** Retry at once (a fixable setup problem, not a camera failure). */
  retryNow?: boolean;
  /** Ended by a signal Gatehouse did not send (kill, the OOM killer): not the camera's fault. */
  killed?: boolean;
}

/** Signals that end a process from outside; a crash (SIGSEGV, SIGABRT …) is not one of them. */
const KILL_SIGNALS: ReadonlySet<string> = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT']);

export interface ExitContext {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The watchdog killed it: no progress for this many seconds. */
  stalledFor?: number;
  /** host:port of the camera, for messages. */
  where: string;
  /** When the audio is already transcoded, a codec-tag error is about the video. */
  audioTranscoded?: boolean;
}

const AUDIO_CODECS = /^(pcm_|adpcm_|g72|gsm|opus|vorbis|ac3|eac3|mp2|mp3|aac|alac|flac|amr|speex|nellymoser|qcelp|truespeed|ilbc)/;

/** Classify why ffmpeg exited from the tail of its stderr. Every exit is a failure. */
export function classifyExit(lines: string[], ctx: ExitContext): Failure {
  const text = lines.join('\n');
  const has = (re: RegExp) => re.test(text);
  const host = ctx.where.replace(/:\d+$/, '');
  if (has(/No space left on device|ENOSPC|Disk quota exceeded/i)) {
    return {
      state: 'disk_full',
      reason: 'disk_full',
      message: 'the recordings disk is full: deleting the oldest footage, then recording resumes',
    };
  }
  if (ctx.stalledFor !== undefined) {
    return { state: 'stalled', reason: 'stall', message: `no video from the camera for ${ctx.stalledFor} s: reconnecting` };
  }
  // The engine's own kills (watchdog, settings restart, stop) never get here: the watchdog's is above, the others are not failures.
  if (ctx.signal && KILL_SIGNALS.has(ctx.signal)) {
    return { state: 'offline', reason: 'ffmpeg_restart', message: `ffmpeg was killed (${ctx.signal}) by something outside Gatehouse: restarting`, killed: true };
  }
  const tag = /Could not find tag for codec (\S+) in stream/.exec(text);
  if (tag) {
    const codec = tag[1]!;
    if (AUDIO_CODECS.test(codec) && !ctx.audioTranscoded) {
      return {
        state: 'offline',
        reason: 'ffmpeg_restart',
        message: `the camera's ${codec} audio cannot go into MP4: converting it to AAC`,
        transcodeAudio: true,
        retryNow: true,
      };
    }
    return {
      state: 'unsupported',
      reason: 'unsupported',
      message: `the camera sends ${codec}, which cannot be recorded into MP4: switch the camera's stream to H.264 (or H.265) in its web page`,
    };
  }
  if (has(/401 Unauthorized|authorization failed/i)) {
    return { state: 'auth_failed', reason: 'auth_failed', message: 'wrong username or password (RTSP 401): fix them in Cameras → Edit' };
  }
  if (has(/403 Forbidden/i)) {
    return {
      state: 'auth_failed',
      reason: 'auth_failed',
      message: "the camera refused this user (RTSP 403 Forbidden): check the user's rights on the camera, or use another account",
    };
  }
  if (has(/404 Not Found/i)) {
    return {
      state: 'offline',
      reason: 'camera_unreachable',
      message: `the camera at ${ctx.where} has no stream at this path (RTSP 404 Not Found): check the stream path in the URL, e.g. /stream1`,
    };
  }
  if (has(/Stream map '0:v(:0)?' matches no streams|does not contain any stream|no video stream/i)) {
    return {
      state: 'unsupported',
      reason: 'unsupported',
      message: "the source sends no video stream (audio only?): check the URL's stream path or the camera's video settings",
    };
  }
  if (has(/Connection refused/i)) {
    return {
      state: 'offline',
      reason: 'camera_unreachable',
      message: `connection refused at ${ctx.where}: check the camera's power and network, and the port`,
    };
  }
  if (has(/No route to host|Network is unreachable/i)) {
    return {
      state: 'offline',
      reason: 'camera_unreachable',
      message: `no network route to ${host}: check the camera's IP address and the network`,
    };
  }
  if (has(/Name or service not known|Temporary failure in name resolution|nodename nor servname|Failed to resolve hostname/i)) {
    return {
      state: 'offline',
      reason: 'camera_unreachable',
      message: `cannot resolve the host name "${host}": check the camera's address`,
    };
  }
  if (has(/Connection timed out|timed out|Operation timed out/i)) {
    return {
      state: 'offline',
      reason: 'camera_unreachable',
      message: `no answer from ${ctx.where} (timed out): check the camera's power, network cable and IP address`,
    };
  }
  const srv = /(?:Server returned|failed:)\s*(5\d\d)\s*([A-Za-z ]*)/.exec(text);
  if (srv) {
    return {
      state: 'offline',
      reason: 'camera_unreachable',
      message: `the camera answered with an error (RTSP ${srv[1]} ${srv[2]!.trim()}): it may have too many viewers; close other clients or restart the camera`,
    };
  }
  if (has(/Invalid data found when processing input|could not find codec parameters|unspecified size/i)) {
    return {
      state: 'unsupported',
      reason: 'unsupported',
      message: "the source sends data ffmpeg cannot read: check that the URL points to the camera's video stream",
    };
  }
  if (
    has(
      /Connection reset by peer|End of file|Broken pipe|454 Session Not Found|Error number -138|Immediate exit requested|Conversion failed/i,
    )
  ) {
    return { state: 'offline', reason: 'camera_unreachable', message: `the camera at ${ctx.where} closed the connection: reconnecting` };
  }
  if (ctx.code === 0) {
    return { state: 'offline', reason: 'camera_unreachable', message: `the stream from ${ctx.where} ended: reconnecting` };
  }
  const last = lastMeaningful(lines);
  const how = ctx.signal ? `signal ${ctx.signal}` : `exit code ${ctx.code}`;
  return { state: 'offline', reason: 'ffmpeg_restart', message: `ffmpeg stopped (${how})${last ? `: ${last}` : ''}; restarting` };
}

function lastMeaningful(lines: string[]): string {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (!l || /^(frame=|size=|video:|Input #|Output #|Stream|Metadata|Duration|\[aac)/.test(l) || l.startsWith('Exiting')) continue;
    return redact(l.replace(/^\[[^\]]+\]\s*/, '')).slice(0, 200);
  }
  return '';
}

export interface StreamInfo {
  videoCodec: string | null;
  profile: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  audioCodec: string | null;
  audioDesc: string | null;
}

/** Follows ffmpeg's stderr listing of Input #0 and collects what it says about the streams. */
export class StreamInfoParser {
  info: StreamInfo = { videoCodec: null, profile: null, width: null, height: null, fps: null, audioCodec: null, audioDesc: null };
  private section: 'none' | 'input' | 'output' = 'none';
  /** True once the input listing has been read. */
  done = false;

  line(l: string): void {
    if (/^Input #0/.test(l)) {
      this.section = 'input';
      return;
    }
    if (/^(Output #|Stream mapping:)/.test(l)) {
      if (this.section === 'input') this.done = true;
      this.section = 'output';
      return;
    }
    if (this.section !== 'input') return;
    const v = /Stream #0:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?: Video: (\w+)(?: \(([^)]*)\))?(.*)$/.exec(l);
    if (v && !this.info.videoCodec) {
      this.info.videoCodec = v[1]!;
      this.info.profile = v[2] ?? null;
      const rest = v[3] ?? '';
      const wh = /\b(\d{2,5})x(\d{2,5})\b/.exec(rest);
      if (wh) {
        this.info.width = Number(wh[1]);
        this.info.height = Number(wh[2]);
      }
      const fps = /([\d.]+) fps/.exec(rest) ?? /([\d.]+) tbr/.exec(rest);
      if (fps) this.info.fps = Math.round(Number(fps[1]) * 100) / 100;
      return;
    }
    const a = /Stream #0:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?: Audio: (\w+)(.*)$/.exec(l);
    if (a && !this.info.audioCodec) {
      this.info.audioCodec = a[1]!;
      this.info.audioDesc = `${a[1]}${(a[2] ?? '').split(',').slice(0, 3).join(',')}`.trim();
    }
  }
}

/** Audio codecs that MP4 carries as they are. */
export function mp4CanCarryAudio(codec: string): boolean {
  return ['aac', 'mp3', 'alac', 'opus', 'flac', 'ac3', 'eac3'].includes(codec);
}

/** A codec name for status messages. */
export function videoCodecLabel(codec: string | null): string | null {
  if (!codec) return null;
  if (codec === 'h264') return 'H.264';
  if (codec === 'hevc' || codec === 'h265') return 'H.265';
  return codec;
}
