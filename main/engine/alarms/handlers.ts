/**
 * alarms.*, access.*, audit.* and integrations.* request handlers.
 */
import { ALARM_TYPES, ALARM_TYPE_LABELS, AlarmSetup, PRIORITIES, type AlarmRule, type Priority } from '../../api/alarms.js';
import { ApiError } from '../../api/contract.js';
import type { ConfigStore } from '../config/store.js';
import type { Handlers } from '../engine.js';
import { hashToken, newToken } from '../integrations/webhook.js';
import { alarmRulesOf, alarmSetupOf, type AlarmsModule } from './index.js';
import { DEFAULT_RULES, DEFAULT_SOPS } from './rules.js';

export interface AlarmsHandlerDeps {
  alarms: () => AlarmsModule | undefined;
  config: () => ConfigStore;
}

function webhookId(name: string, taken: Set<string>): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56) || 'webhook';
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}

/** Add an inbound webhook integration to a config; returns its id and the one-time token. */
export async function addWebhook(config: ConfigStore, name: string): Promise<{ id: string; name: string; token: string }> {
  const token = newToken();
  const id = await config.update((c) => {
    const setup = AlarmSetup.parse((c as { alarmSetup?: unknown }).alarmSetup ?? {});
    const wid = webhookId(name, new Set(setup.webhooks.map((w) => w.id)));
    setup.webhooks.push({ id: wid, name, tokenSha256: hashToken(token), disabled: false, createdAt: new Date().toISOString() });
    (c as { alarmSetup?: unknown }).alarmSetup = setup;
    return wid;
  });
  return { id, name, token };
}

export async function removeWebhook(config: ConfigStore, id: string): Promise<void> {
  const found = await config.update((c) => {
    const setup = AlarmSetup.parse((c as { alarmSetup?: unknown }).alarmSetup ?? {});
    const before = setup.webhooks.length;
    setup.webhooks = setup.webhooks.filter((w) => w.id !== id);
    (c as { alarmSetup?: unknown }).alarmSetup = setup;
    return setup.webhooks.length !== before;
  });
  if (!found) throw new ApiError('not_found', `no webhook integration "${id}"; see integrations.status for the list`);
}

export function alarmsHandlers(d: AlarmsHandlerDeps): Partial<Handlers> {
  const m = (): AlarmsModule => {
    const a = d.alarms();
    if (!a) throw new ApiError('unavailable', 'the alarm module is still starting; try again in a moment');
    return a;
  };
  const rulesView = () => {
    const configured = alarmRulesOf(d.config().data);
    return configured && configured.length ? { rules: configured, builtIn: false } : { rules: DEFAULT_RULES, builtIn: true };
  };
  return {
    'alarms.queue': () => m().store.queue(),
    'alarms.get': (p) => {
      const s = m().store;
      return { alarm: s.mustGet(p.id), entries: s.entries(p.id) };
    },
    'alarms.history': (p) => m().store.history(p.filter, p.cursor, p.limit),
    'alarms.transition': (p, _ctx, me) => m().service.act(p.id, p.action, me!, { comment: p.comment, reason: p.reason }),
    'alarms.comment': (p, _ctx, me) => m().service.comment(p.id, me!, p.comment),
    'alarms.claim': (p, _ctx, me) => m().service.claim(p.id, me!, p.takeover),
    'alarms.release': (p, _ctx, me) => m().service.release(p.id, me!),
    'alarms.escalate': (p, _ctx, me) => m().service.escalate(p.id, me!, p.comment ?? null),
    'alarms.panic': (p, _ctx, me) => {
      const mod = m();
      if (p.cameraId && !d.config().data.cameras.some((c) => c.id === p.cameraId)) {
        throw new ApiError('not_found', `no camera with id "${p.cameraId}"`, 'cameraId');
      }
      const now = Date.now();
      const r = mod.service.ingest(
        {
          type: 'panic',
          source: me!.username,
          sourceKey: `panic:${me!.username}:${now}`,
          title: `PANIC raised by ${me!.username}${p.cameraId ? ` at ${d.config().data.cameras.find((c) => c.id === p.cameraId)?.name ?? p.cameraId}` : ''}`,
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
    'alarms.mute': (p, _ctx, me) => m().service.mute(me!, p.seconds),
    'alarms.meta': () => {
      const setup = alarmSetupOf(d.config().data);
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
      await d.config().update((c) => {
        if (p.rules === null) delete (c as { alarmRules?: AlarmRule[] }).alarmRules;
        else (c as { alarmRules?: AlarmRule[] }).alarmRules = p.rules;
      });
      return rulesView();
    },
    'access.search': (p) => m().sensors.search(p, p.cursor, p.limit),
    'audit.list': (p) => m().audit.list(p, p.cursor, p.limit),
    'audit.verify': () => m().audit.verify(),
    'integrations.status': () => m().status(),
    'integrations.addWebhook': async (p) => {
      const w = await addWebhook(d.config(), p.name);
      return { ...w, url: '/api/webhook/sensors' };
    },
    'integrations.removeWebhook': async (p) => {
      await removeWebhook(d.config(), p.id);
      return { ok: true as const };
    },
  };
}
