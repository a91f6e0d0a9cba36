// What every section gets: options, logging, ports, cleanup, and shared,
// memoized resources (the simulated cameras, the engine run) so several
// sections can read their figures from one run.

import { startCameras } from './cameras.mjs';
import { engineRun } from './engine-run.mjs';

/** Durations (seconds) per mode; command-line options override them. */
export const PRESETS = {
  full: { cams: 32, baselineWarm: 15, baseline: 120, rebaseline: 60, engineWarm: 30, duration: 600, tail: 20 },
  quick: { cams: 32, baselineWarm: 10, baseline: 30, rebaseline: 0, engineWarm: 20, duration: 60, tail: 15 },
};

export function createContext(opts) {
  const cleanups = [];
  const memo = new Map();
  const t0 = Date.now();
  const ctx = {
    opts,
    ffmpeg: process.env.GATEHOUSE_FFMPEG ?? '/usr/bin/ffmpeg',
    ports: { from: 18500, to: 18599, taken: new Set() },
    log(msg) {
      const s = ((Date.now() - t0) / 1000).toFixed(0).padStart(4);
      console.log(`[${s} s] ${msg}`);
    },
    onCleanup(fn) {
      cleanups.push(fn);
    },
    async cleanup() {
      while (cleanups.length) {
        const fn = cleanups.pop();
        try {
          await fn();
        } catch (e) {
          console.error(`bench: cleanup: ${e.message}`);
        }
      }
    },
    /** Memoized async resource: the first caller runs `fn`, later ones share its promise. */
    shared(key, fn) {
      if (!memo.has(key)) memo.set(key, fn());
      return memo.get(key);
    },
    /** The simulated cameras (RTSP fixture, opts.cams mounts of the 1080p clip). */
    cameras() {
      return ctx.shared('cameras', () => startCameras(ctx, opts.cams));
    },
    /** The engine recording every camera for opts.duration seconds (see engine-run.mjs). */
    engineRun() {
      return ctx.shared('engineRun', async () =>
        engineRun(ctx, await ctx.cameras(), { warmS: opts.engineWarm, windowS: opts.duration, tailS: opts.tail }),
      );
    },
  };
  return ctx;
}
