/**
 * cameras.* request handlers: list, add, change and remove cameras, and the
 * DEMO cameras. The configuration work is in catalog.ts (shared with the
 * CLI); live state comes from the registry.
 */
import { ApiError } from '../../api/contract.js';
import type { Concern } from '../concern.js';
import type { SecretBox } from '../config/secrets.js';
import type { ConfigStore } from '../config/store.js';
import { logger } from '../log.js';
import * as catalog from './catalog.js';
import type { CameraRegistry } from './registry.js';

const log = logger('engine');

export interface CamerasDeps {
  config: ConfigStore;
  secrets: SecretBox;
  cameras: CameraRegistry;
}

export function camerasConcern(d: CamerasDeps): Concern {
  return {
    handlers: {
      'cameras.list': () => d.cameras.list(),
      'cameras.add': async (p) => {
        const { moved } = catalog.takeUrlCredentials(p);
        const cam = await catalog.addCamera(d.config, d.secrets, p);
        log.info(`camera "${cam.name}" added${moved ? ' (credentials moved out of the URL)' : ''}`);
        return { ...d.cameras.mustInfo(cam.id), ...(moved ? { notes: [catalog.MOVED_CREDENTIALS_NOTE] } : {}) };
      },
      'cameras.update': async (p) => {
        const { moved } = catalog.takeUrlCredentials(p.patch);
        const cam = await catalog.updateCamera(d.config, d.secrets, p.id, p.patch);
        return { ...d.cameras.mustInfo(cam.id), ...(moved ? { notes: [catalog.MOVED_CREDENTIALS_NOTE] } : {}) };
      },
      'cameras.remove': async (p) => {
        const cam = d.cameras.get(p.id);
        if (!cam) throw new ApiError('not_found', `no camera with id "${p.id}"`);
        await catalog.removeCamera(d.config, cam.id);
        d.cameras.forget(cam.id);
        log.info(`camera "${cam.name}" removed; its recordings stay on disk until retention deletes them`);
        return { ok: true as const };
      },
      'cameras.removeDemo': async () => ({ removed: await catalog.removeDemoCameras(d.config) }),
      'cameras.addDemo': async () => ({ added: await catalog.addDemoCameras(d.config, d.secrets) }),
    },
  };
}
