/**
 * alarms.* request handlers (queue, history, life cycle, panic, rules), and
 * the alarms module they act on (index.ts).
 */
import { ALARM_TYPES, ALARM_TYPE_LABELS, PRIORITIES, type Priority } from '../../api/alarms.js';
import { ApiError } from '../../api/contract.js';
import type { Concern, ModuleConcern } from '../concern.js';
import { alarmSetupOf } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { DEFAULT_SOPS } from '../rules/defaults.js';
import { AlarmsModule, type AlarmsDeps } from './index.js';

export function alarmsConcern(d: AlarmsDeps): ModuleConcern<AlarmsModule> {
  const alarms = new AlarmsModule(d);
  return { module: alarms, handlers: alarmsHandlers(alarms, d.config) };
}

function alarmsHandlers(alarms: AlarmsModule, config: ConfigStore): Concern['handlers'] {
  return {
    'alarms.queue': () => alarms.store.queue(),
    'alarms.get': (p) => {
      const s = alarms.store;
      return { alarm: s.mustGet(p.id), entries: s.entries(p.id) };
    },
    'alarms.history': (p) => alarms.store.history(p.filter, p.cursor, p.limit),
    'alarms.transition': (p, _ctx, me) => alarms.service.act(p.id, p.action, me!, { comment: p.comment, reason: p.reason }),
    'alarms.comment': (p, _ctx, me) => alarms.service.comment(p.id, me!, p.comment),
    'alarms.claim': (p, _ctx, me) => alarms.service.claim(p.id, me!, p.takeover),
    'alarms.release': (p, _ctx, me) => alarms.service.release(p.id, me!),
    'alarms.escalate': (p, _ctx, me) => alarms.service.escalate(p.id, me!, p.comment ?? null),
    'alarms.panic': (p, _ctx, me) => {
      const mod = alarms;
      if (p.cameraId && !config.data.cameras.some((c) => c.id === p.cameraId)) {
        throw new ApiError('not_found', `no camera with id "${p.cameraId}"`, 'cameraId');
      }
      const now = Date.now();
      const r = mod.service.ingest(
        {
          type: 'panic',
          source: me!.username,
          sourceKey: `panic:${me!.username}:${now}`,
          title: `PANIC raised by ${me!.username}${p.cameraId ? ` at ${config.data.cameras.find((c) => c.id === p.cameraId)?.name ?? p.cameraId}` : ''}`,
          cameraIds: p.cameraId ? [p.cameraId] : [],
          zone: null,
          time: now,
          details: { raisedBy: me!.username },
        },
        me!.username,
        p.comment ?? null,
      );
      if (r.outcome !== 'raised' && r.outcome !== 'coalesced') {
        throw new ApiError('conflict', `${'ruleId' in r && r.ruleId ? `a rule (${r.ruleId})` : 'no rule'} raises panic alarms; ask an administrator to check the rules`);
      }
      return r.alarm;
    },
    'alarms.mute': (p, _ctx, me) => alarms.service.mute(me!, p.seconds),
    'alarms.meta': () => {
      const setup = alarmSetupOf(config.data);
      return {
        priorities: ([1, 2, 3, 4, 5] as Priority[]).map((p) => PRIORITIES[p]),
        types: ALARM_TYPES.map((t) => ({ type: t, label: ALARM_TYPE_LABELS[t], sop: setup.sops?.[t] ?? DEFAULT_SOPS[t] })),
        preRollSeconds: setup.preRollSeconds,
        postRollSeconds: setup.postRollSeconds,
      };
    },
  };
}
