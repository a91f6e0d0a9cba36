/**
 * The rule list in the config (`rules`; absent = the built-in rules), shared
 * by the rules.* handlers and `gatehouse rules`. Every change re-reads the
 * config under its lock, validates against that config (cameras, zones,
 * modes, notice URLs) and writes it atomically, so a running server uses
 * it within a second.
 */
import { ApiError } from '../../api/contract.js';
import type { AlarmRule } from '../../api/alarms.js';
import type { Rule, RuleDraft } from '../../api/rules.js';
import { alarmSetupOf, armingOf, rulesOf, type ConfigFile } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { DEFAULT_RULES, isBuiltInId } from './defaults.js';
import { convertLegacyRules } from './legacy.js';
import { ruleIdFor, validateRule, type Validation, type ValidationContext } from './validate.js';

export function validationContextOf(cfg: ConfigFile): ValidationContext {
  return {
    cameras: cfg.cameras.map((c) => ({
      id: c.id,
      name: c.name,
      zones: (c.zones ?? []).map((z) => ({ id: z.id, name: z.name })),
      ptz: !!(c.onvif?.capabilities.ptz && c.onvif.ptzProfile),
      relayOutputs: c.onvif?.capabilities.relayOutputs ?? 0,
    })),
    modes: armingOf(cfg).modes,
    notifyUrls: alarmSetupOf(cfg).notify.map((n) => n.url),
  };
}

/** Validate a draft against a config. A draft without an id gets one from its name. */
export function checkDraft(cfg: ConfigFile, draft: RuleDraft, taken?: Set<string>): Validation {
  const d = { ...draft };
  if (d.id === undefined && typeof d.name === 'string' && d.name.trim())
    d.id = ruleIdFor(d.name, taken ?? new Set(rulesOf(cfg).map((r) => r.id)));
  return validateRule(d, validationContextOf(cfg));
}

/** The first error as an ApiError naming its field (the editor asks rules.validate for all of them). */
function invalid(v: Validation): never {
  const e = v.errors[0]!;
  const more = v.errors.length > 1 ? ` (and ${v.errors.length - 1} more)` : '';
  throw new ApiError('bad_request', `${e.field ? `${e.field}: ` : ''}${e.message}${more}`, e.field || undefined);
}

/** Where a new rule goes: before the first built-in rule (so it decides before them), else at the end. */
export function newRulePosition(rules: readonly Rule[]): number {
  const i = rules.findIndex((r) => isBuiltInId(r.id));
  return i < 0 ? rules.length : i;
}

/** The list with `rule` in it: in place of the rule with its id, else where a new rule goes. */
export function placeRule(rules: readonly Rule[], rule: Rule): Rule[] {
  const i = rules.findIndex((r) => r.id === rule.id);
  if (i >= 0) return rules.map((r, j) => (j === i ? rule : r));
  const at = newRulePosition(rules);
  return [...rules.slice(0, at), rule, ...rules.slice(at)];
}

const mustFind = (rules: readonly Rule[], id: string) => {
  const i = rules.findIndex((r) => r.id === id);
  if (i < 0) throw new ApiError('not_found', `no rule "${id}" (see rules.list or "gatehouse rules list")`, 'id');
  return i;
};

export function addRule(config: ConfigStore, draft: RuleDraft, position?: number): Promise<Rule> {
  return config.update((c) => {
    const rules = [...rulesOf(c)];
    const v = checkDraft(c, draft);
    if (!v.rule) invalid(v);
    const rule = v.rule;
    if (rules.some((r) => r.id === rule.id))
      throw new ApiError('conflict', `a rule with the id "${rule.id}" exists; give another id or name, or update that rule`, 'id');
    const at = position === undefined ? newRulePosition(rules) : Math.min(position, rules.length);
    rules.splice(at, 0, rule);
    c.rules = rules;
    return rule;
  });
}

export function updateRule(config: ConfigStore, draft: RuleDraft): Promise<Rule> {
  return config.update((c) => {
    const rules = [...rulesOf(c)];
    if (typeof draft.id !== 'string') throw new ApiError('bad_request', 'id: which rule? (the id of the rule to replace)', 'id');
    const i = mustFind(rules, draft.id);
    const v = checkDraft(c, draft);
    if (!v.rule) invalid(v);
    rules[i] = v.rule;
    c.rules = rules;
    return v.rule;
  });
}

export function removeRule(config: ConfigStore, id: string): Promise<Rule> {
  return config.update((c) => {
    const rules = [...rulesOf(c)];
    const [gone] = rules.splice(mustFind(rules, id), 1);
    c.rules = rules;
    return gone!;
  });
}

export function setRuleEnabled(config: ConfigStore, id: string, enabled: boolean): Promise<Rule> {
  return config.update((c) => {
    const rules = [...rulesOf(c)];
    const i = mustFind(rules, id);
    rules[i] = { ...rules[i]!, enabled };
    c.rules = rules;
    return rules[i];
  });
}

export function moveRule(config: ConfigStore, id: string, to: number): Promise<Rule[]> {
  return config.update((c) => {
    const rules = [...rulesOf(c)];
    const [r] = rules.splice(mustFind(rules, id), 1);
    rules.splice(Math.min(Math.max(0, to), rules.length), 0, r!);
    c.rules = rules;
    return rules;
  });
}

export function resetRules(config: ConfigStore): Promise<Rule[]> {
  return config.update((c) => {
    delete c.rules;
    return DEFAULT_RULES;
  });
}

/** alarms.setRules: rules of the schema-2 shape, converted (then the built-in rules); null = the built-in rules. */
export function setLegacyRules(config: ConfigStore, legacy: AlarmRule[] | null): Promise<Rule[]> {
  const ids = new Set<string>();
  for (const r of legacy ?? []) {
    if (ids.has(r.id)) throw new ApiError('bad_request', `alarms.setRules: two rules have the id "${r.id}"; ids must be unique`, 'rules');
    ids.add(r.id);
  }
  return config.update((c) => {
    if (!legacy || !legacy.length) delete c.rules;
    else c.rules = convertLegacyRules(legacy);
    return rulesOf(c);
  });
}
