/**
 * rules.* request handlers (and the older alarms.rules / alarms.setRules),
 * and the rules module they act on (index.ts).
 */
import { ApiError } from '../../api/contract.js';
import {
  ACTION_LABELS,
  ACTION_TYPES,
  HEALTH_CONDITIONS,
  OBJECT_LABELS,
  TRIGGER_KINDS,
  TRIGGER_LABELS,
  type RulesMeta,
} from '../../api/rules.js';
import type { ModuleConcern } from '../concern.js';
import { alarmSetupOf, armingOf, rulesOf } from '../config/schema.js';
import { RulesModule, type RulesDeps } from './index.js';
import { addRule, checkDraft, moveRule, removeRule, resetRules, setLegacyRules, setRuleEnabled, updateRule } from './store.js';

const DAY_MS = 86_400_000;

export function rulesConcern(d: RulesDeps): ModuleConcern<RulesModule> {
  const rules = new RulesModule(d);
  const config = d.config;
  const list = () => ({ rules: rulesOf(config.data), builtIn: config.data.rules === undefined });
  const meta = (): RulesMeta => {
    const cfg = config.data;
    const setup = alarmSetupOf(cfg);
    return {
      triggers: TRIGGER_KINDS.map((kind) => ({ kind, label: TRIGGER_LABELS[kind] })),
      actions: ACTION_TYPES.map((type) => ({ type, label: ACTION_LABELS[type] })),
      healthConditions: HEALTH_CONDITIONS,
      labels: OBJECT_LABELS,
      cameras: cfg.cameras.map((c) => ({
        id: c.id,
        name: c.name,
        zones: (c.zones ?? []).map((z) => ({ id: z.id, name: z.name })),
        onvif: !!c.onvif,
      })),
      modes: armingOf(cfg).modes,
      notifyUrls: setup.notify.map((n) => n.url),
      sensors: setup.sensors.map((s) => s.id),
      doors: setup.doors.map((x) => x.door),
    };
  };
  return {
    module: rules,
    handlers: {
      'rules.list': () => list(),
      'rules.meta': () => meta(),
      'rules.validate': (p) => {
        const v = checkDraft(config.data, p.rule);
        return { ok: !v.errors.length, errors: v.errors, rule: v.rule };
      },
      'rules.add': (p) => addRule(config, p.rule, p.position),
      'rules.update': (p) => updateRule(config, p.rule),
      'rules.remove': async (p) => {
        await removeRule(config, p.id);
        return { ok: true as const };
      },
      'rules.setEnabled': (p) => setRuleEnabled(config, p.id, p.enabled),
      'rules.move': async (p) => ({ rules: await moveRule(config, p.id, p.to) }),
      'rules.reset': async () => ({ rules: await resetRules(config) }),
      'rules.dryRun': (p) => {
        let rule;
        if (p.id) {
          rule = rulesOf(config.data).find((r) => r.id === p.id);
          if (!rule) throw new ApiError('not_found', `no rule "${p.id}" (see rules.list)`, 'id');
        } else {
          // a draft need not be saved, nor have an id yet
          const draft = { ...p.rule! };
          if (draft.id === undefined) draft.id = 'draft';
          const v = checkDraft(config.data, draft);
          if (!v.rule) {
            const e = v.errors[0]!;
            throw new ApiError('bad_request', `${e.field ? `${e.field}: ` : ''}${e.message}`, e.field || undefined);
          }
          rule = v.rule;
        }
        const toMs = p.to ? Date.parse(p.to) : Date.now();
        const fromMs = p.from ? Date.parse(p.from) : toMs - DAY_MS;
        return rules.dryRun(rule, fromMs, toMs, p.limit);
      },
      'alarms.rules': () => list(),
      'alarms.setRules': async (p) => {
        await setLegacyRules(config, p.rules);
        return list();
      },
    },
  };
}
