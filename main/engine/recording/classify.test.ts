import { describe, expect, it } from 'vitest';
import { classifyExit, StreamInfoParser } from './classify.js';

// stderr tails as ffmpeg 5.1 prints them (collected against the RTSP fixture)
const ctx = { code: 1, signal: null, where: '127.0.0.1:8554' } as const;

describe('ffmpeg exit classification', () => {
  it('401 → auth_failed, tells where to fix it', () => {
    const f = classifyExit(
      [
        '[rtsp @ 0x5603104f5cc0] method DESCRIBE failed: 401 Unauthorized',
        'rtsp://admin:***@127.0.0.1:8554/auth: Server returned 401 Unauthorized (authorization failed)',
      ],
      ctx,
    );
    expect(f).toMatchObject({ state: 'auth_failed', reason: 'auth_failed' });
    expect(f.message).toBe('wrong username or password (RTSP 401): fix them in Cameras → Edit');
  });
  it('404 → offline with the path advice', () => {
    const f = classifyExit(
      ['[rtsp @ 0x55] method DESCRIBE failed: 404 Not Found', 'rtsp://127.0.0.1:8554/nope: Server returned 404 Not Found'],
      ctx,
    );
    expect(f).toMatchObject({ state: 'offline', reason: 'camera_unreachable' });
    expect(f.message).toMatch(/404 Not Found\): check the stream path in the URL/);
  });
  it('connection refused → offline, names host:port', () => {
    const f = classifyExit(
      [
        '[tcp @ 0x56] Connection to tcp://127.0.0.1:8559?timeout=5000000 failed: Connection refused',
        'rtsp://127.0.0.1:8559/cam1: Connection refused',
      ],
      {
        ...ctx,
        where: '10.0.0.5:554',
      },
    );
    expect(f.message).toBe("connection refused at 10.0.0.5:554: check the camera's power and network, and the port");
  });
  it('no video stream → unsupported', () => {
    const f = classifyExit(["Stream map '0:v:0' matches no streams.", "To ignore this, add a trailing '?' to the map."], ctx);
    expect(f).toMatchObject({ state: 'unsupported', reason: 'unsupported' });
    expect(f.message).toMatch(/^the source sends no video stream/);
  });
  it('G.711 audio that MP4 cannot carry → retry at once with AAC', () => {
    const f = classifyExit(
      ['[mp4 @ 0x56] Could not find tag for codec pcm_alaw in stream #1, codec not currently supported in container'],
      ctx,
    );
    expect(f).toMatchObject({ transcodeAudio: true, retryNow: true });
    const again = classifyExit(
      ['[mp4 @ 0x56] Could not find tag for codec pcm_alaw in stream #1, codec not currently supported in container'],
      { ...ctx, audioTranscoded: true },
    );
    expect(again.state).toBe('unsupported');
  });
  it('a full disk wins over everything', () => {
    const f = classifyExit(['av_interleaved_write_frame(): No space left on device', 'Error writing trailer'], { ...ctx, stalledFor: 12 });
    expect(f).toMatchObject({ state: 'disk_full', reason: 'disk_full' });
  });
  it('the watchdog killed it → stalled', () => {
    expect(classifyExit([], { code: null, signal: 'SIGKILL', where: 'x:1', stalledFor: 12 })).toMatchObject({
      state: 'stalled',
      reason: 'stall',
    });
  });
  it('killed from outside (SIGKILL, SIGTERM) → killed, not the camera; a crash signal is not', () => {
    for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
      expect(classifyExit(['frame=  100 fps= 10'], { code: null, signal, where: 'cam:554' })).toMatchObject({
        state: 'offline',
        reason: 'ffmpeg_restart',
        killed: true,
        message: expect.stringContaining(`killed (${signal})`),
      });
    }
    expect(classifyExit([], { code: null, signal: 'SIGSEGV', where: 'cam:554' }).killed).toBeUndefined();
  });

  it('a clean exit 0 is still a failure', () => {
    expect(classifyExit(['Exiting normally, received signal 2.'], { code: 0, signal: null, where: 'cam:554' })).toMatchObject({
      state: 'offline',
      reason: 'camera_unreachable',
    });
  });
  it('timeouts, DNS, 5xx and unknown errors', () => {
    expect(classifyExit(['Connection to tcp://10.1.1.1:554 failed: Connection timed out'], ctx).message).toMatch(/timed out/);
    expect(
      classifyExit(['Failed to resolve hostname cam.local: Name or service not known'], { ...ctx, where: 'cam.local:554' }).message,
    ).toBe('cannot resolve the host name "cam.local": check the camera\'s address');
    expect(classifyExit(['method DESCRIBE failed: 503 Service Unavailable'], ctx).message).toMatch(/RTSP 503 Service Unavailable/);
    const u = classifyExit(['[rtsp @ 0x1] something odd happened at rtsp://u:p@h/x'], ctx);
    expect(u).toMatchObject({ state: 'offline', reason: 'ffmpeg_restart' });
    expect(u.message).not.toContain(':p@');
  });
});

describe('input stream listing', () => {
  it('reads codec, size, fps and audio from Input #0 only', () => {
    const p = new StreamInfoParser();
    for (const l of [
      "Input #0, rtsp, from 'rtsp://127.0.0.1:18050/cam1':",
      '  Stream #0:0: Video: h264 (Main), yuv420p(progressive), 768x576, 10 fps, 10 tbr, 90k tbn',
      '  Stream #0:1: Audio: pcm_alaw, 8000 Hz, mono, s16, 64 kb/s',
      "Output #0, segment, to 'x-%06d.mp4':",
      '  Stream #0:0: Video: hevc, yuv420p, 1920x1080',
    ])
      p.line(l);
    expect(p.info).toMatchObject({ videoCodec: 'h264', profile: 'Main', width: 768, height: 576, fps: 10, audioCodec: 'pcm_alaw' });
    expect(p.done).toBe(true);
  });
});
