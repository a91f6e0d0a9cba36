/**
 * system.* request handlers: health (no login needed), what this engine
 * is (version, data dir, ffmpeg, how it was started), and its vital signs
 * (event-loop lag, memory, open files: admin).
 */
import type { CameraRegistry } from '../cameras/registry.js';
import type { ModuleConcern } from '../concern.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import { ProcessMonitor } from './monitor.js';

export interface SystemDeps {
  version: string;
  dataDir: string;
  startedAt: string;
  headless: boolean;
  cameras: CameraRegistry;
  ffmpeg: () => FfmpegPaths | null;
  /** How many child processes the engine runs now. */
  children: () => number;
}

export function systemConcern(d: SystemDeps): ModuleConcern<ProcessMonitor> {
  const monitor = new ProcessMonitor({ children: d.children });
  return {
    module: monitor,
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
      'system.status': () => monitor.status(),
    },
  };
}
