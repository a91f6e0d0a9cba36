/**
 * masks.* request handlers, and the module that says `masks.changed` when a
 * camera's masks change, whoever changed them (an API call, the CLI, an
 * edit of config.json: the config watch notices outside edits within a
 * second).
 */
import type { EventBus } from '../bus.js';
import type { Concern } from '../concern.js';
import type { ConfigFile } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import type { EngineModule } from '../module.js';
import { addMask, listMasks, removeMask, replaceMasks, updateMask } from './store.js';

function masksKey(cfg: ConfigFile): Map<string, string> {
  return new Map(cfg.cameras.map((c) => [c.id, JSON.stringify(c.masks ?? [])]));
}

/** Emits masks.changed per camera whose masks differ from the last config seen. */
export class MasksWatch implements EngineModule {
  readonly name = 'masks';
  private off: (() => void) | null = null;

  constructor(private readonly d: { config: ConfigStore; bus: EventBus }) {}

  start(): void {
    if (this.off) return;
    let last = masksKey(this.d.config.data);
    this.off = this.d.config.onChange((cfg) => {
      const next = masksKey(cfg);
      for (const [id, k] of next) if (last.get(id) !== k) this.d.bus.emit('masks.changed', { cameraId: id });
      for (const id of last.keys()) if (!next.has(id)) this.d.bus.emit('masks.changed', { cameraId: id });
      last = next;
    });
  }

  stop(): void {
    this.off?.();
    this.off = null;
  }
}

export function masksConcern(d: { config: ConfigStore; bus: EventBus }): Concern<MasksWatch> {
  return {
    module: new MasksWatch(d),
    handlers: {
      'masks.list': (p) => listMasks(d.config.data, p),
      'masks.add': (p) => addMask(d.config, p),
      'masks.update': (p) => updateMask(d.config, p.id, p),
      'masks.remove': async (p) => {
        await removeMask(d.config, p.id);
        return { ok: true as const };
      },
      'masks.replace': (p) => replaceMasks(d.config, p.cameraId, p.kind, p.masks),
    },
  };
}
