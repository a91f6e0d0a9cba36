/**
 * settings.* request handlers, and the module that watches config.json: a
 * change made by another process (the CLI) or by a handler becomes
 * cameras.changed, settings.changed or users.changed on the bus.
 */
import type { EventBus } from '../bus.js';
import type { Concern } from '../concern.js';
import type { EngineModule } from '../module.js';
import { settingsOf } from './schema.js';
import type { ConfigStore } from './store.js';

export interface ConfigDeps {
  config: ConfigStore;
  bus: EventBus;
}

/** Publishes what changed in the config (whoever changed it) and watches the file for outside edits. */
export class ConfigWatch implements EngineModule {
  readonly name = 'config';
  private off: (() => void) | null = null;

  constructor(private readonly d: ConfigDeps) {}

  start(): void {
    if (this.off) return;
    const { config, bus } = this.d;
    const usersKey = (c: typeof config.data) => JSON.stringify(c.users.map((u) => [u.username, u.role, u.disabled]));
    let lastCams = JSON.stringify(config.data.cameras);
    let lastSettings = JSON.stringify(config.data.settings);
    let lastUsers = usersKey(config.data);
    const offChange = config.onChange((cfg) => {
      const cams = JSON.stringify(cfg.cameras);
      if (cams !== lastCams) {
        lastCams = cams;
        bus.emit('cameras.changed', { reason: 'config' });
      }
      const st = JSON.stringify(cfg.settings);
      if (st !== lastSettings) {
        lastSettings = st;
        bus.emit('settings.changed', settingsOf(cfg));
      }
      const us = usersKey(cfg);
      if (us !== lastUsers) {
        lastUsers = us;
        bus.emit('users.changed', {});
      }
    });
    config.watch();
    this.off = () => {
      config.unwatch();
      offChange();
    };
  }

  stop(): void {
    this.off?.();
    this.off = null;
  }
}

export function settingsConcern(d: ConfigDeps): Concern<ConfigWatch> {
  return {
    module: new ConfigWatch(d),
    handlers: {
      'settings.get': () => settingsOf(d.config.data),
      'settings.update': async (p) => {
        await d.config.update((c) => {
          c.settings = { ...c.settings, ...p.patch };
        });
        return settingsOf(d.config.data);
      },
    },
  };
}
