/**
 * The detection service's port to face recognition (implemented by
 * faces/wiring.ts, handed in by the engine). Detection knows nothing of
 * faces beyond this: which cameras want faces, person-track frames, the end
 * of a person track (whose match goes into the object event's `face`), and
 * frames with motion where the detector found no person (door cameras see
 * faces close-up, often without a whole person). Every call returns at
 * once; the face side drops what its worker cannot take (nothing queues).
 */
import type { FaceMatchInfo } from '../../api/faces.js';
import type { NormBox } from '../../api/detection.js';

/** A decoded frame: packed BGR, rows without padding. The face side copies what it keeps. */
export interface HookFrame {
  frame: Buffer;
  w: number;
  h: number;
}

export interface FaceHook {
  /** Face recognition is on for this camera. */
  enabled(cameraId: string): boolean;
  /** A person track (with its object event) was seen on this frame. */
  personFrame(cameraId: string, trackId: number, eventId: number, timeMs: number, frame: HookFrame, box: NormBox): void;
  /** A person track ended: the match of its best face (stored with the event), or null without a face. */
  trackEnded(cameraId: string, trackId: number, eventId: number, endMs: number): FaceMatchInfo | null;
  /** A frame with motion on which the detector found no person. */
  motionFrame(cameraId: string, timeMs: number, frame: HookFrame): void;
  /** The camera's pipeline stopped: forget its open tracks. */
  cameraStopped(cameraId: string): void;
}
