import type http from 'node:http';
import type { DayCoverage, Gap, Segment, Settings, StorageStatus } from '../../api/contract.js';
import type { EventBus } from '../bus.js';
import type { CameraRegistry } from '../cameras/registry.js';
import type { SecretBox } from '../config/secrets.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { EngineModule } from '../module.js';
import type { DataPaths } from '../paths.js';
import type { ChildRegistry } from '../process/children.js';
import type { Db } from '../store/db.js';

export interface RecorderDeps {
  paths: DataPaths;
  db: Db;
  bus: EventBus;
  cameras: CameraRegistry;
  secrets: SecretBox;
  /** null when ffmpeg could not be found: cameras then show that as their status. */
  ffmpeg: FfmpegPaths | null;
  children: ChildRegistry;
  settings: () => Settings;
}

/** Receives a camera's live fMP4: the init segment once, then media fragments. */
export interface LiveSink {
  init(codec: string, init: Buffer): void;
  fragment(data: Buffer, keyframe: boolean): void;
  close(reason: string): void;
}

/** The recording subsystem as the rest of the engine sees it. */
export interface Recorder extends EngineModule {
  list(cameraId: string, fromMs: number, toMs: number): { segments: Segment[]; gaps: Gap[] };
  coverage(cameraId: string, fromMs: number, toMs: number, timeZone: string): DayCoverage[];
  storage(): StorageStatus;
  /** Attach a live viewer. The returned function detaches it. */
  subscribeLive(cameraId: string, stream: 'main' | 'sub', sink: LiveSink): () => void;
  /**
   * Serve media under /api/media/ (playback of a time range, segment files).
   * Called by the HTTP transport after authentication. Returns false if the
   * path is not one of its routes.
   */
  handleMedia(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean;
  /** A JPEG of a camera at `atMs` (null: the live edge, else the last recorded frame); rejects when there is none. */
  snapshotJpeg(cameraId: string, atMs: number | null, maxWidth?: number): Promise<Buffer>;
}
