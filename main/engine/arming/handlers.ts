/**
 * arming.* request handlers, the arming modes in the config (shared with
 * the CLI), and the arming service they act on (service.ts).
 */
import { ApiError } from '../../api/contract.js';
import { ArmingSetup, type ArmingScheduleEntry } from '../../api/rules.js';
import type { ModuleConcern } from '../concern.js';
import { armingOf, rulesOf, type ConfigFile } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { ArmingService, type ArmingDeps } from './service.js';

export function armingConcern(d: ArmingDeps): ModuleConcern<ArmingService> {
  const arming = new ArmingService(d);
  return {
    module: arming,
    handlers: {
      'arming.status': (_p, _ctx, me) => arming.status(me),
      'arming.set': (p, ctx, me) => arming.switchTo(p.mode, { actor: me!.username, role: me!.role, via: 'console', peer: ctx.peer }),
      'arming.history': (p) => ({ changes: arming.history(p.limit) }),
      'arming.configure': async (p, _ctx, me) => {
        await configureArming(d.config, p, arming.mode().id);
        return arming.status(me);
      },
    },
  };
}

/** Check a new arming setup: modes unique, the schedule and the initial mode name defined modes, the current mode kept. */
export function checkArming(s: ArmingSetup, currentMode: string | null): void {
  const ids = new Set<string>();
  s.modes.forEach((m, i) => {
    if (ids.has(m.id)) throw new ApiError('bad_request', `two modes have the id "${m.id}"`, `modes[${i}].id`);
    ids.add(m.id);
  });
  const names = new Set<string>();
  s.modes.forEach((m, i) => {
    const k = m.name.toLowerCase();
    if (names.has(k)) throw new ApiError('bad_request', `two modes are named "${m.name}"`, `modes[${i}].name`);
    names.add(k);
  });
  if (!ids.has(s.initial)) throw new ApiError('bad_request', `the initial mode "${s.initial}" is not one of the modes`, 'initial');
  s.schedule.forEach((e: ArmingScheduleEntry, i) => {
    if (!ids.has(e.mode))
      throw new ApiError('bad_request', `the schedule switches to "${e.mode}", which is not one of the modes`, `schedule[${i}].mode`);
  });
  if (currentMode && !ids.has(currentMode))
    throw new ApiError('conflict', `"${currentMode}" is the mode in force: switch to another mode before removing it`, 'modes');
}

/** Change the arming setup in the config (partial: what is given replaces what is there). */
export async function configureArming(config: ConfigStore, p: Partial<ArmingSetup>, currentMode: string | null): Promise<ArmingSetup> {
  return config.update((c: ConfigFile) => {
    const cur = armingOf(c);
    const next = ArmingSetup.parse({ ...cur, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) });
    checkArming(next, currentMode);
    const ids = new Set(next.modes.map((m) => m.id));
    const stranded = rulesOf(c).filter((r) => r.conditions.modes.some((m) => !ids.has(m)));
    if (stranded.length) {
      const gone = [...new Set(stranded.flatMap((r) => r.conditions.modes.filter((m) => !ids.has(m))))];
      throw new ApiError(
        'conflict',
        `rule(s) ${stranded.map((r) => `"${r.name}"`).join(', ')} run in ${gone.join(', ')}: change those rules before removing the mode`,
        'modes',
      );
    }
    c.arming = next;
    return next;
  });
}
