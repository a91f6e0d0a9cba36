/**
 * No secret on any command line: cameras with Digest and with Basic RTSP
 * auth record through the engine's relay while every /proc/<pid>/cmdline on
 * the machine is checked for their passwords; a wrong password still gives
 * `auth_failed` with its message; "Test connection" (ffprobe + snapshot) of
 * an RTSP camera and of an HTTP camera with Digest (qop=auth) works without
 * the password on a command line either.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspServer, type RtspFixture } from '../fixtures/rtsp.js';
import { vtestH264 } from '../fixtures/media.js';
import type { Engine } from '../../main/engine/engine.js';
import { testStream } from '../../main/engine/onvif/stream-test.js';
import { ffprobe, sleep, startEngine, tempDir, waitFor } from './recording-harness.js';

const DIGEST_PASS = 'S3cretCam!d1g';
const BASIC_PASS = 'S3cretCam!b4s';
const HTTP_PASS = 'S3cretCam!h77p';
const SECRETS = [DIGEST_PASS, BASIC_PASS, HTTP_PASS, encodeURIComponent(DIGEST_PASS), encodeURIComponent(BASIC_PASS)];

/** Every process on the machine whose command line holds one of the secrets. */
function leaks(): { pid: string; cmd: string }[] {
  const out: { pid: string; cmd: string }[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    let cmd: string;
    try {
      cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'latin1').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (SECRETS.some((s) => cmd.includes(s))) out.push({ pid: p, cmd });
  }
  return out;
}

/** Command lines of this process's ffmpeg/ffprobe children. */
function childCommands(): string[] {
  const out: string[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      out.push(fs.readFileSync(`/proc/${p}/cmdline`, 'latin1').replace(/\0/g, ' '));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Check /proc every 50 ms while `fn` runs; returns what it found. */
async function watchProc<T>(fn: () => Promise<T>): Promise<{ result: T; found: { pid: string; cmd: string }[]; looks: number; sawChildren: string[] }> {
  const found: { pid: string; cmd: string }[] = [];
  const sawChildren = new Set<string>();
  let looks = 0;
  let done = false;
  const loop = (async () => {
    while (!done) {
      found.push(...leaks());
      for (const c of childCommands()) if (/ffmpeg|ffprobe/.test(c)) sawChildren.add(c);
      looks++;
      await sleep(50);
    }
  })();
  try {
    const result = await fn();
    return { result, found, looks, sawChildren: [...sawChildren] };
  } finally {
    done = true;
    await loop;
  }
}

/** An HTTP camera: the vtest clip (with Range support) behind Digest auth with qop=auth. */
function digestHttpCamera(user: string, pass: string): http.Server {
  const nonce = crypto.randomBytes(8).toString('hex');
  const md5 = (s: string) => crypto.createHash('md5').update(s).digest('hex');
  const size = fs.statSync(vtestH264).size;
  return http.createServer((req, res) => {
    const a = req.headers.authorization ?? '';
    const p: Record<string, string> = {};
    for (const m of a.replace(/^Digest\s+/, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) p[m[1]!] = m[2] ?? m[3] ?? '';
    const ha1 = md5(`${user}:cam:${pass}`);
    const ok =
      a.startsWith('Digest ') &&
      p.qop === 'auth' &&
      p.response === md5(`${ha1}:${nonce}:${p.nc}:${p.cnonce}:auth:${md5(`${req.method}:${p.uri}`)}`) &&
      p.uri === req.url;
    if (!ok) {
      res.writeHead(401, { 'www-authenticate': `Digest realm="cam", qop="auth", nonce="${nonce}", algorithm=MD5` }).end();
      return;
    }
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Number(range[2]) : size - 1;
    res.writeHead(range ? 206 : 200, {
      'content-type': 'video/mp4',
      'accept-ranges': 'bytes',
      'content-length': end - start + 1,
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    fs.createReadStream(vtestH264, { start, end }).pipe(res);
  });
}

describe('camera credentials never reach a command line', () => {
  let digest: RtspFixture;
  let basic: RtspFixture;
  let web: http.Server;
  let engine: Engine;
  let dataDir: string;

  beforeAll(async () => {
    digest = await startRtspServer({ port: 18050, mounts: { '/cam1': {}, '/auth': { auth: { user: 'admin', pass: DIGEST_PASS } } } });
    basic = await startRtspServer({ port: 18051, mounts: { '/cam1': {}, '/auth': { auth: { user: 'viewer', pass: BASIC_PASS } } }, authMethod: 'basic' });
    web = digestHttpCamera('web', HTTP_PASS);
    await new Promise<void>((r) => web.listen(18052, '127.0.0.1', () => r()));
    dataDir = tempDir('credentials');
    engine = await startEngine(dataDir, { segmentSeconds: 4, stallSeconds: 8 }, [
      { name: 'Digest', url: digest.url('/auth'), username: 'admin', password: DIGEST_PASS },
      { name: 'Basic', url: basic.url('/auth'), username: 'viewer', password: BASIC_PASS },
      { name: 'Wrong', url: digest.url('/auth'), username: 'admin', password: `${BASIC_PASS}-wrong` },
    ]);
  });

  afterAll(async () => {
    await engine?.stop();
    await digest?.close();
    await basic?.close();
    await new Promise((r) => web?.close(r));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const st = (id: string) => engine.cameras.info(id)!.status;
  const segs = (id: string) => engine.recorder.list(id, Date.now() - 3600_000, Date.now() + 1000).segments;

  it('Digest and Basic cameras record through the relay; no command line holds a password; a wrong one is auth_failed', async () => {
    const w = await watchProc(async () => {
      await waitFor('both cameras recording', () => st('digest').state === 'recording' && st('basic').state === 'recording', 60_000);
      await waitFor('two segments from each', () => segs('digest').length >= 2 && segs('basic').length >= 2, 60_000);
      await waitFor('the wrong password diagnosed', () => st('wrong').state === 'auth_failed', 30_000);
    });
    expect(w.found).toEqual([]);
    expect(w.looks).toBeGreaterThan(20);
    // the recorders really ran, and on the relay's loopback URL, not the camera's
    const recorders = w.sawChildren.filter((c) => c.includes('-segment_list'));
    expect(recorders.length).toBeGreaterThanOrEqual(3);
    for (const c of recorders) {
      expect(c).toMatch(/-i rtsp:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{24} /);
      expect(c).not.toMatch(/:1805[01]\//);
    }
    expect(st('wrong')).toMatchObject({ state: 'auth_failed', message: 'wrong username or password (RTSP 401): fix them in Cameras → Edit' });
    expect(segs('wrong')).toHaveLength(0);
    for (const id of ['digest', 'basic']) {
      const s = segs(id);
      const p = await ffprobe(s[0]!.path);
      expect(p).toMatchObject({ codec: 'h264', width: 768, height: 576 });
      // continuous within the run
      for (let i = 1; i < s.length; i++) expect(Math.abs(Date.parse(s[i]!.start) - Date.parse(s[i - 1]!.end))).toBeLessThanOrEqual(100);
    }
    // nor in what the engine writes down
    const children = fs.readFileSync(`${dataDir}/run/children.json`, 'utf8');
    for (const s of SECRETS) expect(children).not.toContain(s);
    for (const c of engine.cameras.list()) for (const s of SECRETS) expect(c.status.message).not.toContain(s);
  });

  it('"Test connection" of an RTSP (Digest) and an HTTP (Digest, qop=auth) camera works without the password on a command line', async () => {
    const ff = engine.ffmpeg!;
    const rtsp = await watchProc(() => testStream(ff, engine.children, { url: digest.url('/auth'), username: 'admin', password: DIGEST_PASS, timeoutMs: 20_000 }));
    expect(rtsp.found).toEqual([]);
    expect(rtsp.result).toMatchObject({ ok: true, codec: 'h264', width: 768, height: 576 });
    expect(rtsp.result.snapshot).toMatch(/^data:image\/jpeg;base64,/);
    expect(rtsp.sawChildren.some((c) => /ffprobe .*-i rtsp:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{24} /.test(c))).toBe(true);

    const web1 = await watchProc(() => testStream(ff, engine.children, { url: 'http://127.0.0.1:18052/clips/vtest.mp4', username: 'web', password: HTTP_PASS, timeoutMs: 20_000 }));
    expect(web1.found).toEqual([]);
    expect(web1.result).toMatchObject({ ok: true, codec: 'h264', width: 768, height: 576 });
    expect(web1.sawChildren.some((c) => /-i http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{24}\/vtest\.mp4/.test(c))).toBe(true);

    // wrong passwords: the same messages as before the relay
    await expect(testStream(ff, engine.children, { url: basic.url('/auth'), username: 'viewer', password: 'nope', timeoutMs: 15_000 })).rejects.toThrow(
      /refused the username or password \(RTSP 401\)/,
    );
    await expect(testStream(ff, engine.children, { url: 'http://127.0.0.1:18052/clips/vtest.mp4', username: 'web', password: 'nope', timeoutMs: 15_000 })).rejects.toThrow(
      /refused the username or password/,
    );
  });
});
