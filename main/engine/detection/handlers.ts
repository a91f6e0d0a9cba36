/**
 * detection.* request handlers, and the detection module (service.ts).
 */
import type { ModuleConcern } from '../concern.js';
import { DetectionService, type DetectionDeps, type DetectionOptions } from './service.js';

export function detectionConcern(d: DetectionDeps, opts?: DetectionOptions): ModuleConcern<DetectionService> {
  const svc = new DetectionService(d, opts);
  return {
    module: svc,
    handlers: {
      'detection.status': (p) => svc.status(p.cameraId),
      'detection.setEnabled': (p) => svc.setEnabled(p.cameraId, p.enabled),
    },
  };
}
