/**
 * zones.* request handlers, and the module that says `zones.changed` when a
 * camera's zones change, whoever changed them (an API call, the CLI, an edit
 * of config.json: the config watch notices outside edits within a second).
 * The detection service reads the zones itself on `cameras.changed`.
 */
import type { EventBus } from '../bus.js';
import type { Concern } from '../concern.js';
import type { ConfigFile } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import type { EngineModule } from '../module.js';
import { addZone, listZones, removeZone, replaceZones, updateZone } from './store.js';

function zonesKey(cfg: ConfigFile): Map<string, string> {
  return new Map(cfg.cameras.map((c) => [c.id, JSON.stringify(c.zones ?? [])]));
}

/** Emits zones.changed per camera whose zones differ from the last config seen. */
export class ZonesWatch implements EngineModule {
  readonly name = 'zones';
  private off: (() => void) | null = null;

  constructor(private readonly d: { config: ConfigStore; bus: EventBus }) {}

  start(): void {
    if (this.off) return;
    let last = zonesKey(this.d.config.data);
    this.off = this.d.config.onChange((cfg) => {
      const next = zonesKey(cfg);
      for (const [id, k] of next) if (last.get(id) !== k) this.d.bus.emit('zones.changed', { cameraId: id });
      for (const id of last.keys()) if (!next.has(id)) this.d.bus.emit('zones.changed', { cameraId: id });
      last = next;
    });
  }

  stop(): void {
    this.off?.();
    this.off = null;
  }
}

export function zonesConcern(d: { config: ConfigStore; bus: EventBus }): Concern<ZonesWatch> {
  return {
    module: new ZonesWatch(d),
    handlers: {
      'zones.list': (p) => listZones(d.config.data, p),
      'zones.add': (p) => addZone(d.config, p.cameraId, p),
      'zones.update': (p) => updateZone(d.config, p.id, p),
      'zones.remove': async (p) => {
        await removeZone(d.config, p.id);
        return { ok: true as const };
      },
      'zones.replace': (p) => replaceZones(d.config, p.cameraId, p.zones),
    },
  };
}
