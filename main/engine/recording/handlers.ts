/**
 * recordings.* and storage.* request handlers, and the recorder module they
 * read from (see index.ts).
 */
import type { ModuleConcern } from '../concern.js';
import { zoneOrSystem } from '../util/time-zone.js';
import { createRecorder } from './index.js';
import type { Recorder, RecorderDeps } from './types.js';

export function recordingConcern(d: RecorderDeps): ModuleConcern<Recorder> {
  const recorder = createRecorder(d);
  return {
    module: recorder,
    handlers: {
      'recordings.list': (p) => {
        d.cameras.mustInfo(p.cameraId);
        return recorder.list(p.cameraId, Date.parse(p.from), Date.parse(p.to));
      },
      'recordings.coverage': (p) => {
        d.cameras.mustInfo(p.cameraId);
        // the request's zone, else settings.timeZone, else the server's
        const tz = p.timeZone ?? zoneOrSystem(d.settings().timeZone);
        return { days: recorder.coverage(p.cameraId, Date.parse(p.from), Date.parse(p.to), tz) };
      },
      'storage.status': () => recorder.storage(),
    },
  };
}
