/**
 * system.* request handlers: health (no login needed) and what this engine
 * is (version, data dir, ffmpeg, how it was started).
 */
import type { CameraRegistry } from '../cameras/registry.js';
import type { Concern } from '../concern.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';

export interface SystemDeps {
  version: string;
  dataDir: string;
  startedAt: string;
  headless: boolean;
  cameras: CameraRegistry;
  ffmpeg: () => FfmpegPaths | null;
}

export function systemConcern(d: SystemDeps): Concern {
  return {
    handlers: {
      'system.health': () => ({ status: 'ok' as const, version: d.version, cameras: d.cameras.counts() }),
      'system.info': () => ({
        version: d.version,
        dataDir: d.dataDir,
        ffmpeg: d.ffmpeg()?.ffmpeg ?? null,
        ffmpegVersion: d.ffmpeg()?.version ?? null,
        headless: d.headless,
        startedAt: d.startedAt,
      }),
    },
  };
}
