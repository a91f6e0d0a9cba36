import { ApiError, type CameraInfo, type CameraStatus } from '../../api/contract.js';
import type { EventBus } from '../bus.js';
import type { ConfigStore } from '../config/store.js';
import type { StoredCamera } from '../config/schema.js';
import { defaultStatus, publicCamera } from './catalog.js';

/**
 * The live view of cameras: configuration from the config store plus the
 * runtime status that the recorder reports. Pushes camera.status events.
 */
export class CameraRegistry {
  private status = new Map<string, CameraStatus>();
  constructor(
    private readonly config: ConfigStore,
    private readonly bus: EventBus,
  ) {}

  stored(): StoredCamera[] {
    return this.config.data.cameras;
  }
  get(id: string): StoredCamera | undefined {
    return this.config.data.cameras.find((c) => c.id === id);
  }
  list(): CameraInfo[] {
    return this.stored().map((c) => publicCamera(c, this.statusOf(c)));
  }
  info(id: string): CameraInfo | undefined {
    const c = this.get(id);
    return c ? publicCamera(c, this.statusOf(c)) : undefined;
  }
  /** The public view of a camera, or a not_found error naming the id. */
  mustInfo(id: string): CameraInfo {
    const info = this.info(id);
    if (!info) throw new ApiError('not_found', `no camera with id "${id}"`);
    return info;
  }
  statusOf(c: StoredCamera): CameraStatus {
    if (!c.enabled) return this.status.get(c.id)?.state === 'disabled' ? this.status.get(c.id)! : defaultStatus('disabled', 'disabled by an admin');
    return this.status.get(c.id) ?? defaultStatus();
  }
  /** Update a camera's runtime status; emits camera.status when something changed. */
  setStatus(id: string, patch: Partial<CameraStatus>): CameraStatus {
    const prev = this.status.get(id) ?? defaultStatus();
    const next: CameraStatus = { ...prev, ...patch };
    if (patch.state && patch.state !== prev.state && !patch.since) next.since = new Date().toISOString();
    const changed = JSON.stringify(prev) !== JSON.stringify(next);
    this.status.set(id, next);
    if (changed) this.bus.emit('camera.status', { cameraId: id, status: next });
    return next;
  }
  forget(id: string): void {
    this.status.delete(id);
  }
  counts(): { total: number; recording: number; offline: number } {
    const cams = this.stored();
    let recording = 0;
    let offline = 0;
    for (const c of cams) {
      const s = this.statusOf(c).state;
      if (s === 'recording') recording++;
      else if (s !== 'disabled' && s !== 'connecting') offline++;
    }
    return { total: cams.length, recording, offline };
  }
}
