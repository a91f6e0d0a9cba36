import type { Recorder, RecorderDeps } from './types.js';

/** Placeholder until the recording subsystem lands: reports every camera as not recording. */
export function createRecorder(deps: RecorderDeps): Recorder {
  return {
    name: 'recorder',
    start() {
      for (const c of deps.cameras.stored()) deps.cameras.setStatus(c.id, { state: 'offline', message: 'recording is not built yet' });
    },
    stop() {},
    list: () => ({ segments: [], gaps: [] }),
    coverage: () => [],
    storage: () => ({
      dataDir: deps.paths.root,
      volumeTotalBytes: 0,
      volumeFreeBytes: 0,
      quotaBytes: 0,
      usedBytes: 0,
      lockedBytes: 0,
      lowSpace: false,
      forecastDays: null,
      cameras: [],
    }),
    subscribeLive: () => () => {},
    handleMedia: () => false,
  };
}
