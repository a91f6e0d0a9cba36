/**
 * system.remoteAccess (what Settings → Remote access shows: listeners, the
 * TLS certificate and its fingerprints, the two-factor policy) and
 * system.setRemoteAccess (the desktop app's remote listener, config
 * "remoteAccess", used at its next start).
 */
import type { Concern } from '../concern.js';
import { remoteAccessOf } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import type { Exposure } from './exposure.js';

export interface RemoteAccessDeps {
  config: ConfigStore;
  exposure: Exposure;
  adminTotpRequired: () => boolean;
}

export function remoteAccessConcern(d: RemoteAccessDeps): Concern {
  return {
    handlers: {
      'system.remoteAccess': () => ({
        listeners: d.exposure.listeners.map((l) => ({ ...l })),
        adminTotpRequired: d.adminTotpRequired(),
        desktop: remoteAccessOf(d.config.data),
      }),
      'system.setRemoteAccess': async (p) => {
        await d.config.update((c) => {
          c.remoteAccess = p.setup;
        });
        return remoteAccessOf(d.config.data);
      },
    },
  };
}
