/**
 * Rule validation, field by field: the shape (zod), then what the shape
 * cannot say: the cameras, zones and arming modes a rule names exist, the
 * conditions fit the trigger, each action has what it needs (a notice URL
 * that is configured, a camera that has PTZ or relays). Every error names
 * its field path ("conditions.zones[0]", "actions[1].url") so the editor
 * shows it next to the field. Camera and mode names are accepted and
 * stored as ids; zone names as the zone's id. Pure.
 */
import { ACTION_TYPES, Rule, TRIGGER_KINDS, type ArmingMode, type RuleFieldError } from '../../api/rules.js';

export interface ValidationCamera {
  id: string;
  name: string;
  zones: { id: string; name: string }[];
  ptz: boolean;
  relayOutputs: number;
}

export interface ValidationContext {
  cameras: ValidationCamera[];
  modes: ArmingMode[];
  notifyUrls: string[];
}

export interface Validation {
  rule: Rule | null;
  errors: RuleFieldError[];
}

/** "actions", 1, "topic" → "actions[1].topic". */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

const list = (xs: readonly string[]) => xs.join(', ');

function shapeErrors(
  issues: { path: PropertyKey[]; message: string; code: string; keys?: string[]; expected?: string; input?: unknown }[],
): RuleFieldError[] {
  const out: RuleFieldError[] = [];
  for (const i of issues) {
    const field = fieldPath(i.path);
    let message = i.message;
    if (i.code === 'unrecognized_keys') message = `unknown field(s): ${(i.keys ?? []).join(', ')}`;
    else if (i.code === 'invalid_type' && i.input === undefined) message = 'is required';
    else if (i.code === 'invalid_type') message = `must be ${i.expected === 'array' ? 'a list' : `a ${i.expected}`}`;
    if (!out.some((e) => e.field === field)) out.push({ field, message });
  }
  return out;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Check a draft against the site: returns the rule (normalised) when there is no error. */
export function validateRule(draft: unknown, ctx: ValidationContext): Validation {
  if (!isObj(draft))
    return { rule: null, errors: [{ field: '', message: 'a rule is a JSON object: {"name", "trigger", "conditions", "actions"}' }] };
  const errors: RuleFieldError[] = [];
  // Clear words for the two things a hand-written rule most often gets wrong.
  const trig = draft.trigger;
  if (!isObj(trig)) errors.push({ field: 'trigger', message: `choose a trigger: ${list(TRIGGER_KINDS)}` });
  else if (!(TRIGGER_KINDS as readonly unknown[]).includes(trig.kind))
    errors.push({
      field: 'trigger.kind',
      message:
        trig.kind === undefined
          ? `choose a trigger: ${list(TRIGGER_KINDS)}`
          : `unknown trigger ${JSON.stringify(trig.kind)}; use one of ${list(TRIGGER_KINDS)}`,
    });
  if (Array.isArray(draft.actions))
    draft.actions.forEach((a, i) => {
      if (!isObj(a) || !(ACTION_TYPES as readonly unknown[]).includes(a.type))
        errors.push({
          field: `actions[${i}].type`,
          message: `unknown action ${JSON.stringify(isObj(a) ? a.type : a)}; use one of ${list(ACTION_TYPES)}`,
        });
    });
  const parsed = Rule.safeParse(draft);
  if (!parsed.success) {
    for (const e of shapeErrors(parsed.error.issues as never)) {
      if (
        !errors.some(
          (x) =>
            x.field === e.field ||
            (e.field.startsWith(x.field) && x.field.endsWith('type')) ||
            (x.field === 'trigger.kind' && e.field.startsWith('trigger')),
        )
      )
        errors.push(e);
    }
    return { rule: null, errors };
  }
  if (errors.length) return { rule: null, errors };
  const rule = structuredClone(parsed.data);
  const c = rule.conditions;
  const t = rule.trigger;
  const err = (field: string, message: string) => errors.push({ field, message });
  const camOf = (ref: string) => {
    const k = ref.trim().toLowerCase();
    return ctx.cameras.find((x) => x.id === ref) ?? ctx.cameras.find((x) => x.name.toLowerCase() === k);
  };
  const camNames = () => (ctx.cameras.length ? list(ctx.cameras.map((x) => x.name)) : 'none yet');

  // cameras
  const cams: ValidationCamera[] = [];
  c.cameraIds = c.cameraIds.map((ref, i) => {
    const cam = camOf(ref);
    if (!cam) {
      err(`conditions.cameraIds[${i}]`, `no camera "${ref}" (cameras: ${camNames()})`);
      return ref;
    }
    cams.push(cam);
    return cam.id;
  });

  // zones: detection zones for object triggers, sensor/door zones otherwise
  const objectInZone = t.kind === 'object' && t.phase !== 'seen';
  if (c.zones.length) {
    if (t.kind === 'object' && t.phase === 'seen')
      err('conditions.zones', 'an object "seen" anywhere has no zone: set the trigger\'s phase to enter or dwell to use zones');
    else if (t.kind === 'motion')
      err('conditions.zones', 'software motion covers the whole picture (its motion masks aside): remove the zones');
    else if (t.kind === 'health' || t.kind === 'panic' || t.kind === 'onvif')
      err('conditions.zones', `${t.kind} events have no zone: remove the zones`);
  }
  if (objectInZone && !errors.some((e) => e.field.startsWith('conditions.zones'))) {
    const scope = cams.length ? cams : ctx.cameras;
    c.zones = c.zones.map((ref, i) => {
      const k = ref.trim().toLowerCase();
      const found = scope.map((cam) => ({
        cam,
        zone: cam.zones.find((z) => z.id === ref) ?? cam.zones.find((z) => z.name.toLowerCase() === k),
      }));
      const missing = found.filter((f) => !f.zone);
      if (cams.length ? missing.length : missing.length === found.length) {
        const where = cams.length ? missing.map((m) => m.cam.name).join(', ') : 'any camera';
        const known = cams.length
          ? missing.flatMap((m) => m.cam.zones.map((z) => z.name))
          : scope.flatMap((cam) => cam.zones.map((z) => z.name));
        err(
          `conditions.zones[${i}]`,
          `no zone "${ref}" on ${where}${known.length ? ` (zones there: ${list([...new Set(known)])})` : ' (draw one under Cameras → zones first)'}`,
        );
        return ref;
      }
      const ids = [...new Set(found.filter((f) => f.zone).map((f) => f.zone!.id))];
      return ids.length === 1 ? ids[0]! : ref;
    });
  }

  // conditions that belong to some triggers only
  if (t.kind !== 'object') {
    if (c.labels.length) err('conditions.labels', 'labels are for object triggers');
    if (c.minCount !== undefined) err('conditions.minCount', 'a minimum count is for objects in a zone');
  } else if (c.minCount !== undefined && t.phase === 'seen')
    err('conditions.minCount', 'a minimum count needs a zone: set the phase to enter or dwell');
  if (t.kind === 'object' && t.dwellSeconds !== undefined && t.phase !== 'dwell')
    err('trigger.dwellSeconds', 'a dwell time is for the phase "dwell"');
  if (c.sensorIds.length && !['sensor', 'access', 'any'].includes(t.kind))
    err('conditions.sensorIds', 'sensors are for sensor and access triggers');

  // arming modes
  c.modes = c.modes.map((ref, i) => {
    const k = ref.trim().toLowerCase();
    const m = ctx.modes.find((x) => x.id === ref) ?? ctx.modes.find((x) => x.name.toLowerCase() === k);
    if (!m) {
      err(`conditions.modes[${i}]`, `no arming mode "${ref}" (modes: ${list(ctx.modes.map((x) => x.name))})`);
      return ref;
    }
    return m.id;
  });
  if (new Set(c.modes).size !== c.modes.length) err('conditions.modes', 'a mode is listed twice');

  // actions
  const alarms = rule.actions.filter((a) => a.type === 'alarm').length;
  if (alarms > 1) err('actions', 'one "Raise an alarm" action per rule (add a second rule for another alarm)');
  if (rule.actions.some((a) => a.type === 'ignore') && rule.actions.length > 1)
    err('actions', '"Ignore" drops the event: it cannot go with other actions');
  rule.actions.forEach((a, i) => {
    const at = `actions[${i}]`;
    switch (a.type) {
      case 'alarm':
        a.cameraIds = a.cameraIds.map((ref, j) => {
          const cam = camOf(ref);
          if (!cam) err(`${at}.cameraIds[${j}]`, `no camera "${ref}" (cameras: ${camNames()})`);
          return cam?.id ?? ref;
        });
        break;
      case 'webhook':
        if (!ctx.notifyUrls.includes(a.url))
          err(
            `${at}.url`,
            ctx.notifyUrls.length
              ? `"${a.url}" is not one of the notice URLs of the alarm setup (${list(ctx.notifyUrls)}); add it under Rules → Setup → Notices first`
              : 'no notice URLs are set up: add one under Rules → Setup → Notices first',
          );
        break;
      case 'relay':
      case 'ptz': {
        const cam = camOf(a.cameraId);
        if (!cam) {
          err(`${at}.cameraId`, `no camera "${a.cameraId}" (cameras: ${camNames()})`);
          break;
        }
        a.cameraId = cam.id;
        if (a.type === 'ptz' && !cam.ptz)
          err(`${at}.cameraId`, `camera "${cam.name}" has no PTZ (added without ONVIF, or its ONVIF capabilities list none)`);
        if (a.type === 'relay' && cam.relayOutputs < 1)
          err(`${at}.cameraId`, `camera "${cam.name}" has no relay outputs (added without ONVIF, or it reports none)`);
        break;
      }
      default:
        break;
    }
  });
  return errors.length ? { rule: null, errors } : { rule, errors: [] };
}

/** A rule id from a name: "Person in yard at night" → "person-in-yard-at-night" (unique among `taken`). */
export function ruleIdFor(name: string, taken: Set<string>): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56) || 'rule';
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}
