/**
 * Playback in a real browser: Chromium (headless) plays recorded footage of
 * the demo://pattern camera through MSE using only the playback API
 * (map.json, init, retimed segments), seeks to wall-clock times, and reads
 * the burned-in binary time code back from a canvas. The frame shown for
 * time T must carry T's second (or the one before: transport latency).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import type { Engine } from '../../main/engine/engine.js';
import type { HttpServer } from '../../main/server/http.js';
import { startEngine, tempDir, waitFor, serveAndLogin } from './recording-harness.js';

const CHROMIUM = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';

describe('playback in Chromium', () => {
  let engine: Engine;
  let server: HttpServer;
  let browser: Browser | null = null;
  let dataDir: string;
  let base = '';
  let token = '';

  beforeAll(async () => {
    dataDir = tempDir('playback');
    engine = await startEngine(dataDir, { segmentSeconds: 4 }, [{ name: 'Clock', url: 'demo://pattern' }]);
    ({ server, base, token } = await serveAndLogin(engine, 18045));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await engine?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeks to wall-clock times through MSE and shows the frame of that second', async (ctx) => {
    if (!fs.existsSync(CHROMIUM)) {
      ctx.skip();
      return;
    }
    const segs = () => engine.recorder.list('clock', Date.now() - 3600_000, Date.now() + 1000).segments;
    await waitFor('four segments', () => segs().length >= 4, 60_000);
    const all = segs();
    const from = all[0]!.start;
    const to = all[all.length - 1]!.end;
    // targets: inside the second, third and last segments, and right at a segment boundary
    const targets = [
      Date.parse(all[1]!.start) + 1500,
      Date.parse(all[2]!.start) + 3300,
      Date.parse(all[3]!.start),
      Date.parse(all[all.length - 1]!.end) - 700,
    ];

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
    const page = await browser.newPage();
    await page.goto(`${base}/api/health`);
    const result = await page.evaluate(
      async ({ token, from, to, targets }) => {
        const auth = { authorization: `Bearer ${token}` };
        const map = await (await fetch(`/api/media/clock/map.json?from=${from}&to=${to}`, { headers: auth })).json();
        const video = document.createElement('video');
        video.muted = true;
        document.body.appendChild(video);
        const ms = new MediaSource();
        video.src = URL.createObjectURL(ms);
        await new Promise((r) => ms.addEventListener('sourceopen', r, { once: true }));
        const first = map.segments[0];
        if (!MediaSource.isTypeSupported(first.mime)) return { error: `not supported: ${first.mime}` };
        const sb = ms.addSourceBuffer(first.mime);
        const append = async (url: string) => {
          const buf = await (await fetch(url, { headers: auth })).arrayBuffer();
          sb.appendBuffer(buf);
          await new Promise((r) => sb.addEventListener('updateend', r, { once: true }));
        };
        let lastInit = '';
        // append in reverse order on purpose: decode times are absolute on the map's timeline
        for (const s of [...map.segments].reverse()) {
          if (s.initHash !== lastInit) {
            await append(s.init);
            lastInit = s.initHash;
          }
          await append(s.url);
        }
        const buffered: [number, number][] = [];
        for (let i = 0; i < sb.buffered.length; i++) buffered.push([sb.buffered.start(i), sb.buffered.end(i)]);
        const canvas = document.createElement('canvas');
        canvas.width = 640;
        canvas.height = 360;
        const g = canvas.getContext('2d', { willReadFrequently: true })!;
        const out: { target: number; shown: number; code: number }[] = [];
        for (const t of targets) {
          video.currentTime = (t - map.originMs) / 1000;
          await new Promise((r) => video.addEventListener('seeked', r, { once: true }));
          await new Promise((r) => setTimeout(r, 150));
          g.drawImage(video, 0, 0, 640, 360);
          const row = g.getImageData(0, 352, 640, 1).data;
          let code = 0;
          for (let i = 0; i < 32; i++) code = code * 2 + (row[(i * 20 + 10) * 4]! > 128 ? 1 : 0);
          out.push({ target: t, shown: map.originMs + video.currentTime * 1000, code });
        }
        return { buffered, out, originMs: map.originMs, n: map.segments.length };
      },
      { token, from, to, targets },
    );
    expect(result).not.toHaveProperty('error');
    const r = result as {
      buffered: [number, number][];
      out: { target: number; shown: number; code: number }[];
      originMs: number;
      n: number;
    };
    // one continuous buffered range across all segment boundaries
    expect(r.buffered).toHaveLength(1);
    expect(r.buffered[0]![0]).toBeCloseTo((Date.parse(from) - r.originMs) / 1000, 0);
    for (const o of r.out) {
      const sec = Math.floor(o.target / 1000);
      expect([sec, sec - 1], `time code at ${new Date(o.target).toISOString()}`).toContain(o.code);
      expect(Math.abs(o.shown - o.target)).toBeLessThan(150);
    }
  });
});
