/**
 * alarms.* request handlers (queue, history, life cycle, panic, rules), and
 * the alarms module they act on (index.ts).
 */
import { ALARM_TYPES, ALARM_TYPE_LABELS, PRIORITIES, type AlarmRule, type Priority } from '../../api/alarms.js';
import { ApiError } from '../../api/contract.js';
import type { Concern, ModuleConcern } from '../concern.js';
import { alarmRulesOf, alarmSetupOf } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { AlarmsModule, type AlarmsDeps } from './index.js';
import { DEFAULT_RULES, DEFAULT_SOPS } from './rules.js';

export function alarmsConcern(d: AlarmsDeps): ModuleConcern<AlarmsModule> {
  const alarms = new AlarmsModule(d);
  return { module: alarms, handlers: alarmsHandlers(alarms, d.config) };
}

function alarmsHandlers(alarms: AlarmsModule, config: ConfigStore): Concern['handlers'] {
  const rulesView = () => {
    const configured = alarmRulesOf(config.data);
    return configured && configured.length ? { rules: configured, builtIn: false } : { rules: DEFAULT_RULES, builtIn: true };
  };
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
        throw new ApiError('conflict', `a rule (${'ruleId' in r ? r.ruleId : '?'}) turns panic alarms off; ask an administrator to check the alarm rules`);
      }
      return r.alarm;
    },
    'alarms.mute': (p, _ctx, me) => alarms.service.mute(me!, p.seconds),
    'alarms.meta': () => {
      const setup = alarmSetupOf(config.data);
      return {
        priorities: ([1, 2, 3, 4, 5] as Priority[]).map((p) => PRIORITIES[p]),
        types: ALARM_TYPES.map((t) => ({ type: t, label: ALARM_TYPE_LABELS[t], sop: DEFAULT_SOPS[t] })),
        preRollSeconds: setup.preRollSeconds,
        postRollSeconds: setup.postRollSeconds,
      };
    },
    'alarms.rules': () => rulesView(),
    'alarms.setRules': async (p) => {
      const ids = new Set<string>();
      for (const r of p.rules ?? []) {
        if (ids.has(r.id)) throw new ApiError('bad_request', `alarms.setRules: two rules have the id "${r.id}"; ids must be unique`, 'rules');
        ids.add(r.id);
      }
      await config.update((c) => {
        if (p.rules === null) delete (c as { alarmRules?: AlarmRule[] }).alarmRules;
        else (c as { alarmRules?: AlarmRule[] }).alarmRules = p.rules;
      });
      return rulesView();
    },
  };
}
