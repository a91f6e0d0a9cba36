/**
 * Still frames as JPEG: ffmpeg decodes one frame from a recorded segment (at
 * an offset) or from in-memory fMP4 (the live edge).
 */
import type { ChildRegistry } from '../process/children.js';

export type SnapshotInput = { file: string; offsetSec: number } | { data: Buffer };

export function extractJpeg(
  ffmpeg: string,
  children: ChildRegistry,
  input: SnapshotInput,
  opts: { maxWidth?: number; timeoutMs?: number } = {},
): Promise<Buffer> {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  if ('file' in input) {
    if (input.offsetSec > 0) args.push('-ss', input.offsetSec.toFixed(3));
    args.push('-i', input.file);
  } else {
    args.push('-f', 'mp4', '-i', 'pipe:0');
  }
  args.push('-frames:v', '1', '-an');
  if (opts.maxWidth) args.push('-vf', `scale='min(${opts.maxWidth},iw)':-2`);
  args.push('-c:v', 'mjpeg', '-q:v', '4', '-f', 'image2pipe', 'pipe:1');
  return new Promise((resolve, reject) => {
    const child = children.spawn('snapshot', ffmpeg, args, { stdio: ['data' in input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => children.kill(child, 'SIGKILL'), opts.timeoutMs ?? 10_000);
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => {
      if (err.length < 4000) err += d.toString();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const jpg = Buffer.concat(out);
      if (jpg.length > 2 && jpg[0] === 0xff && jpg[1] === 0xd8) resolve(jpg);
      else reject(new Error(`ffmpeg could not extract a frame (exit ${code}): ${err.trim().split('\n').pop() ?? ''}`));
    });
    if ('data' in input) {
      child.stdin!.on('error', () => {});
      child.stdin!.end(input.data);
    }
  });
}
