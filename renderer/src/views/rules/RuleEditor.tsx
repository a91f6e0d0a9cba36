/**
 * The rule editor: trigger → conditions → actions, checked by the engine
 * as you type (rules.validate: each error next to its field), saved with
 * Ctrl+S, and the dry run (Ctrl+Enter): what this rule, saved or not,
 * would have raised over the last 24 h (or 1 h, 7 d) of stored events.
 */
import { useEffect, useRef, useState } from 'react';
import { ALARM_TYPE_LABELS } from '../../../../main/api/alarms.js';
import {
  ACTION_LABELS,
  ACTION_TYPES,
  HEALTH_CONDITIONS,
  ONVIF_TRIGGER_EVENTS,
  FACE_TRIGGER_EVENTS,
  SENSOR_STATES,
  SENSOR_TYPES,
  TRIGGER_KINDS,
  TRIGGER_LABELS,
  type ActionType,
  type DryRunResult,
  type Rule,
  type RuleFieldError,
  type RulesMeta,
  type TriggerKind,
} from '../../../../main/api/rules.js';
import { useClient } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { useTimeZone } from '../../state/settings.js';
import { formatDateTime } from '../../time/index.js';
import { Field } from '../../ui/Field.js';
import { FormError } from '../../ui/FormFooter.js';
import { RowButton } from '../../ui/RowButton.js';
import { PRIORITY_STYLES } from '../alarms/priority-style.js';
import { DAY_NAMES, errorFor, newAction, splitList, toggle, toRequest, withTriggerKind, type Draft } from './rule-form.js';

const RANGES = [
  { key: '1h', label: 'Last hour', ms: 3_600_000 },
  { key: '24h', label: 'Last 24 h', ms: 86_400_000 },
  { key: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
] as const;

function Checks<T extends string | number>({
  items,
  value,
  onChange,
  label,
  testId,
}: {
  items: { v: T; label: string }[];
  value: readonly T[];
  onChange: (v: T[]) => void;
  label: string;
  testId: string;
}) {
  return (
    <div className="rule-checks" role="group" aria-label={label}>
      {items.map((it) => (
        <label key={String(it.v)} className="rule-check">
          <input
            type="checkbox"
            checked={value.includes(it.v)}
            onChange={(e) => onChange(toggle(value, it.v, e.target.checked))}
            data-testid={`${testId}-${it.v}`}
          />
          {it.label}
        </label>
      ))}
      {!items.length && <span className="muted">none</span>}
    </div>
  );
}

export function RuleEditor({
  initial,
  meta,
  isAdmin,
  onSaved,
  onClose,
}: {
  initial: Draft;
  meta: RulesMeta;
  isAdmin: boolean;
  onSaved: (r: Rule) => void;
  onClose: () => void;
}) {
  const client = useClient();
  const tz = useTimeZone();
  const [d, setD] = useState<Draft>(initial);
  const [errors, setErrors] = useState<RuleFieldError[]>([]);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [range, setRange] = useState<(typeof RANGES)[number]['key']>('24h');
  const [dry, setDry] = useState<{ busy: boolean; result: DryRunResult | null; error: string | null }>({
    busy: false,
    result: null,
    error: null,
  });
  const isNew = !initial.id;
  const seq = useRef(0);
  const firstField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    firstField.current?.focus();
  }, []);

  // check as the admin types (debounced); the name may be empty while typing
  useEffect(() => {
    const n = ++seq.current;
    const t = setTimeout(() => {
      client.call('rules.validate', { rule: toRequest({ ...d, name: d.name || 'x' }) }).then(
        (r) => n === seq.current && setErrors(r.errors),
        () => undefined,
      );
    }, 250);
    return () => clearTimeout(t);
  }, [client, d]);

  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const setTrig = (patch: Record<string, unknown>) => setD((x) => ({ ...x, trigger: { ...x.trigger, ...patch } }));
  const setCond = (patch: Partial<Draft['conditions']>) => setD((x) => ({ ...x, conditions: { ...x.conditions, ...patch } }));
  const setAction = (i: number, patch: Record<string, unknown>) =>
    setD((x) => ({ ...x, actions: x.actions.map((a, j) => (j === i ? { ...a, ...patch } : a)) }));
  const err = (f: string) => errorFor(errors, f);

  const save = async () => {
    if (!isAdmin || saving) return;
    setSaving(true);
    setSaveError(null);
    try {
      const r = isNew ? await client.call('rules.add', { rule: toRequest(d) }) : await client.call('rules.update', { rule: toRequest(d) });
      onSaved(r);
    } catch (e) {
      const x = e as { message: string; field?: string };
      setSaveError(x.message.replace(/^[a-z]+\.[a-zA-Z]+: /, ''));
      if (x.field)
        setErrors((old) =>
          old.some((o) => o.field === x.field) ? old : [{ field: x.field!, message: x.message.replace(/^.*?: /, '') }, ...old],
        );
    } finally {
      setSaving(false);
    }
  };

  const dryRun = async () => {
    const ms = RANGES.find((r) => r.key === range)!.ms;
    const to = Date.now();
    setDry((x) => ({ ...x, busy: true, error: null }));
    try {
      const result = await client.call('rules.dryRun', {
        rule: toRequest({ ...d, name: d.name || 'Draft' }),
        from: new Date(to - ms).toISOString(),
        to: new Date(to).toISOString(),
        limit: 200,
      });
      setDry({ busy: false, result, error: null });
    } catch (e) {
      setDry({ busy: false, result: null, error: (e as Error).message.replace(/^[a-z]+\.[a-zA-Z]+: /, '') });
    }
  };

  useShortcuts('Rule editor', [
    { keys: 'ctrl+s', description: 'Save the rule', allowInInput: true, enabled: isAdmin, run: () => void save() },
    { keys: 'ctrl+enter', description: 'Dry run: what it would have raised', allowInInput: true, run: () => void dryRun() },
    { keys: 'esc', description: 'Close the editor', run: onClose },
  ]);

  const t = d.trigger;
  const c = d.conditions;
  const kind = t.kind;
  const camName = (id: string) => meta.cameras.find((x) => x.id === id)?.name ?? id;
  const zoneScope = c.cameraIds.length ? meta.cameras.filter((x) => c.cameraIds.includes(x.id)) : meta.cameras;
  const zoneItems = [
    ...new Map(
      zoneScope.flatMap((cam) =>
        cam.zones.map((z) => [z.id, { v: z.id, label: c.cameraIds.length === 1 ? z.name : `${z.name} (${cam.name})` }]),
      ),
    ).values(),
  ];
  const inZone = kind === 'object' && t.phase !== 'seen';
  const arr = (k: string) => (Array.isArray(t[k]) ? (t[k] as string[]) : []);

  return (
    <form
      className="rule-editor"
      data-testid="rule-editor"
      data-rule={d.id ?? ''}
      data-valid={errors.length ? 'false' : 'true'}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="rule-editor-head">
        <h2>{isNew ? 'New rule' : d.name || d.id}</h2>
        <span className="muted">{isNew ? 'added before the built-in rules' : d.id}</span>
        <span className="spacer" />
        <label className="rule-check">
          <input type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: e.target.checked })} data-testid="rule-enabled" />
          Enabled
        </label>
      </div>
      <fieldset className="rule-section" disabled={!isAdmin}>
        <Field label="Name" error={err('name')} testId="rule-name">
          {(p) => (
            <input
              {...p}
              ref={firstField}
              value={d.name}
              maxLength={80}
              placeholder="Person in the yard at night"
              onChange={(e) => set({ name: e.target.value })}
              data-testid="rule-name"
            />
          )}
        </Field>
      </fieldset>

      <fieldset className="rule-section" disabled={!isAdmin}>
        <legend>When</legend>
        <div className="rule-row">
          <Field label="Trigger" error={err('trigger.kind') ?? err('trigger')} testId="rule-trigger">
            {(p) => (
              <select
                {...p}
                value={kind}
                onChange={(e) => setD((x) => withTriggerKind(x, e.target.value as TriggerKind))}
                data-testid="rule-trigger"
              >
                {TRIGGER_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {TRIGGER_LABELS[k]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {kind === 'object' && (
            <>
              <Field label="Phase" error={err('trigger.phase')} testId="rule-phase">
                {(p) => (
                  <select
                    {...p}
                    value={String(t.phase ?? 'dwell')}
                    onChange={(e) => setTrig({ phase: e.target.value, ...(e.target.value !== 'dwell' ? { dwellSeconds: undefined } : {}) })}
                    data-testid="rule-phase"
                  >
                    <option value="dwell">dwells in a zone</option>
                    <option value="enter">enters a zone</option>
                    <option value="seen">seen anywhere</option>
                  </select>
                )}
              </Field>
              {t.phase === 'dwell' && (
                <Field label="Dwell (s)" error={err('trigger.dwellSeconds')} hint="empty: the zone's own" testId="rule-dwell">
                  {(p) => (
                    <input
                      {...p}
                      type="number"
                      min={1}
                      max={86400}
                      value={t.dwellSeconds === undefined ? '' : String(t.dwellSeconds)}
                      onChange={(e) => setTrig({ dwellSeconds: e.target.value === '' ? undefined : Number(e.target.value) })}
                      data-testid="rule-dwell"
                    />
                  )}
                </Field>
              )}
            </>
          )}
          {kind === 'motion' && (
            <Field label="Least share of the picture (0–1)" error={err('trigger.minScore')} testId="rule-min-score">
              {(p) => (
                <input
                  {...p}
                  type="number"
                  step={0.01}
                  min={0}
                  max={1}
                  value={t.minScore === undefined ? '' : String(t.minScore)}
                  onChange={(e) => setTrig({ minScore: e.target.value === '' ? undefined : Number(e.target.value) })}
                />
              )}
            </Field>
          )}
          {kind === 'access' && (
            <Field label="Result" error={err('trigger.result')} testId="rule-result">
              {(p) => (
                <select {...p} value={String(t.result)} onChange={(e) => setTrig({ result: e.target.value })}>
                  <option value="denied">denied</option>
                  <option value="granted">granted</option>
                  <option value="any">any</option>
                </select>
              )}
            </Field>
          )}
        </div>
        {kind === 'sensor' && (
          <div className="rule-row">
            <Field label="Sensor types (none = all)" error={err('trigger.types')}>
              {() => (
                <Checks
                  label="Sensor types"
                  testId="rule-sensor-type"
                  items={SENSOR_TYPES.map((v) => ({ v, label: v }))}
                  value={arr('types')}
                  onChange={(v) => setTrig({ types: v })}
                />
              )}
            </Field>
            <Field label="States (none = all but closed/idle)" error={err('trigger.states')}>
              {() => (
                <Checks
                  label="States"
                  testId="rule-sensor-state"
                  items={SENSOR_STATES.map((v) => ({ v, label: v }))}
                  value={arr('states')}
                  onChange={(v) => setTrig({ states: v })}
                />
              )}
            </Field>
          </div>
        )}
        {kind === 'access' && (
          <Field
            label="Doors (comma separated; none = all)"
            error={err('trigger.doors')}
            hint={meta.doors.length ? `known: ${meta.doors.join(', ')}` : undefined}
          >
            {(p) => <input {...p} defaultValue={arr('doors').join(', ')} onBlur={(e) => setTrig({ doors: splitList(e.target.value) })} />}
          </Field>
        )}
        {kind === 'face' && (
          <Field label="Face events (none = all)" error={err('trigger.events')} hint="mismatch: a badge whose holder's face is not the one the door camera saw">
            {() => (
              <Checks
                label="Face events"
                testId="rule-face"
                items={FACE_TRIGGER_EVENTS.map((v) => ({ v, label: v }))}
                value={arr('events')}
                onChange={(v) => setTrig({ events: v })}
              />
            )}
          </Field>
        )}
        {kind === 'onvif' && (
          <Field label="Events (none = all)" error={err('trigger.events')}>
            {() => (
              <Checks
                label="ONVIF events"
                testId="rule-onvif"
                items={ONVIF_TRIGGER_EVENTS.map((v) => ({ v, label: v }))}
                value={arr('events')}
                onChange={(v) => setTrig({ events: v })}
              />
            )}
          </Field>
        )}
        {kind === 'health' && (
          <Field label="Conditions (none = all)" error={err('trigger.conditions')}>
            {() => (
              <Checks
                label="Health conditions"
                testId="rule-health"
                items={HEALTH_CONDITIONS.map((v) => ({ v, label: v }))}
                value={arr('conditions')}
                onChange={(v) => setTrig({ conditions: v })}
              />
            )}
          </Field>
        )}
      </fieldset>

      <fieldset className="rule-section" disabled={!isAdmin}>
        <legend>Only if</legend>
        <div className="rule-grid">
          <Field label="Arming modes (none = every mode)" error={err('conditions.modes')} testId="rule-modes">
            {() => (
              <Checks
                label="Arming modes"
                testId="rule-mode"
                items={meta.modes.map((m) => ({ v: m.id, label: m.name }))}
                value={c.modes}
                onChange={(v) => setCond({ modes: v })}
              />
            )}
          </Field>
          <Field label="Cameras (none = every camera)" error={err('conditions.cameraIds')} testId="rule-cameras">
            {() => (
              <Checks
                label="Cameras"
                testId="rule-camera"
                items={meta.cameras.map((x) => ({ v: x.id, label: x.name }))}
                value={c.cameraIds}
                onChange={(v) => setCond({ cameraIds: v })}
              />
            )}
          </Field>
          {inZone && (
            <Field
              label="Zones (none = any zone)"
              error={err('conditions.zones')}
              testId="rule-zones"
              hint={zoneItems.length ? undefined : 'no zones yet: draw one under Cameras'}
            >
              {() => <Checks label="Zones" testId="rule-zone" items={zoneItems} value={c.zones} onChange={(v) => setCond({ zones: v })} />}
            </Field>
          )}
          {(kind === 'sensor' || kind === 'access' || kind === 'any') && (
            <div className="rule-row">
              <Field label="Sensor zones (comma separated)" error={err('conditions.zones')} testId="rule-sensor-zones">
                {(p) => <input {...p} defaultValue={c.zones.join(', ')} onBlur={(e) => setCond({ zones: splitList(e.target.value) })} />}
              </Field>
              <Field
                label="Sensors (comma separated)"
                error={err('conditions.sensorIds')}
                testId="rule-sensors"
                hint={meta.sensors.length ? `known: ${meta.sensors.join(', ')}` : undefined}
              >
                {(p) => (
                  <input {...p} defaultValue={c.sensorIds.join(', ')} onBlur={(e) => setCond({ sensorIds: splitList(e.target.value) })} />
                )}
              </Field>
            </div>
          )}
          {kind === 'object' && (
            <>
              <Field label="Labels" error={err('conditions.labels')} testId="rule-labels">
                {() => (
                  <Checks
                    label="Labels"
                    testId="rule-label"
                    items={meta.labels.map((v) => ({ v, label: v }))}
                    value={c.labels}
                    onChange={(v) => setCond({ labels: v })}
                  />
                )}
              </Field>
              {inZone && (
                <Field label="At least (objects at once)" error={err('conditions.minCount')} testId="rule-min-count">
                  {(p) => (
                    <input
                      {...p}
                      type="number"
                      min={1}
                      max={100}
                      value={c.minCount === undefined ? '' : String(c.minCount)}
                      onChange={(e) => setCond({ minCount: e.target.value === '' ? undefined : Number(e.target.value) })}
                      data-testid="rule-min-count"
                    />
                  )}
                </Field>
              )}
            </>
          )}
        </div>
        <div className="rule-row">
          <label className="rule-check">
            <input
              type="checkbox"
              checked={!!c.schedule}
              onChange={(e) => setCond({ schedule: e.target.checked ? { days: [1, 2, 3, 4, 5], from: '18:00', to: '07:00' } : null })}
              data-testid="rule-schedule-on"
            />
            Only at times
          </label>
          {c.schedule && (
            <>
              <Field label="From" error={err('conditions.schedule.from')} testId="rule-schedule-from">
                {(p) => (
                  <input
                    {...p}
                    type="time"
                    value={c.schedule!.from}
                    onChange={(e) => setCond({ schedule: { ...c.schedule!, from: e.target.value } })}
                    data-testid="rule-schedule-from"
                  />
                )}
              </Field>
              <Field label="To (before From: past midnight)" error={err('conditions.schedule.to')} testId="rule-schedule-to">
                {(p) => (
                  <input
                    {...p}
                    type="time"
                    value={c.schedule!.to}
                    onChange={(e) => setCond({ schedule: { ...c.schedule!, to: e.target.value } })}
                    data-testid="rule-schedule-to"
                  />
                )}
              </Field>
              <Field label="Days" error={err('conditions.schedule.days')} testId="rule-schedule-days">
                {() => (
                  <Checks
                    label="Days"
                    testId="rule-day"
                    items={DAY_NAMES.map((n, i) => ({ v: i, label: n }))}
                    value={c.schedule!.days}
                    onChange={(v) => setCond({ schedule: { ...c.schedule!, days: [...v].sort() } })}
                  />
                )}
              </Field>
            </>
          )}
        </div>
      </fieldset>

      <fieldset className="rule-section" disabled={!isAdmin}>
        <legend>Then</legend>
        {err('actions') && (
          <p className="field-error" role="alert" data-testid="rule-actions-error">
            {err('actions')}
          </p>
        )}
        {d.actions.map((a, i) => (
          <div className="rule-action" key={i} data-testid={`rule-action-${i}`} data-type={a.type}>
            <span className="rule-action-type">{ACTION_LABELS[a.type] ?? a.type}</span>
            {a.type === 'alarm' && (
              <>
                <Field label="Priority" error={err(`actions[${i}].priority`)} testId={`rule-action-${i}-priority`}>
                  {(p) => (
                    <select
                      {...p}
                      value={String(a.priority ?? 3)}
                      onChange={(e) => setAction(i, { priority: Number(e.target.value) })}
                      data-testid={`rule-action-${i}-priority`}
                    >
                      {[1, 2, 3, 4, 5].map((n) => (
                        <option key={n} value={n}>
                          P{n} {PRIORITY_STYLES[n as 1].label}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label="Repeats within (s) count on it" error={err(`actions[${i}].coalesceSeconds`)}>
                  {(p) => (
                    <input
                      {...p}
                      type="number"
                      min={0}
                      max={86400}
                      value={String(a.coalesceSeconds ?? 60)}
                      onChange={(e) => setAction(i, { coalesceSeconds: Number(e.target.value) })}
                    />
                  )}
                </Field>
                <Field label="A repeat is" error={err(`actions[${i}].coalesceBy`)}>
                  {(p) => (
                    <select {...p} value={String(a.coalesceBy ?? 'object')} onChange={(e) => setAction(i, { coalesceBy: e.target.value })}>
                      <option value="object">the same object (one alarm per person)</option>
                      <option value="zone">anything in the zone</option>
                      <option value="camera">anything on the camera</option>
                    </select>
                  )}
                </Field>
                <Field label="Procedure (SOP; empty: the alarm type's)" error={err(`actions[${i}].sop`)}>
                  {(p) => (
                    <textarea
                      {...p}
                      rows={2}
                      value={String(a.sop ?? '')}
                      onChange={(e) => setAction(i, { sop: e.target.value || undefined })}
                    />
                  )}
                </Field>
              </>
            )}
            {a.type === 'bookmark' && (
              <Field label="Note (empty: the rule and the event)" error={err(`actions[${i}].note`)}>
                {(p) => <input {...p} value={String(a.note ?? '')} onChange={(e) => setAction(i, { note: e.target.value || undefined })} />}
              </Field>
            )}
            {a.type === 'mqtt' && (
              <Field label="Topic" error={err(`actions[${i}].topic`)} testId={`rule-action-${i}-topic`}>
                {(p) => <input {...p} value={String(a.topic ?? '')} onChange={(e) => setAction(i, { topic: e.target.value })} />}
              </Field>
            )}
            {a.type === 'webhook' && (
              <Field
                label="Notice URL"
                error={err(`actions[${i}].url`)}
                testId={`rule-action-${i}-url`}
                hint={meta.notifyUrls.length ? undefined : 'add a notice URL under Setup first'}
              >
                {(p) => (
                  <select {...p} value={String(a.url ?? '')} onChange={(e) => setAction(i, { url: e.target.value })}>
                    <option value="">choose…</option>
                    {meta.notifyUrls.map((u) => (
                      <option key={u} value={u}>
                        {u}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            )}
            {(a.type === 'relay' || a.type === 'ptz') && (
              <>
                <Field label="Camera" error={err(`actions[${i}].cameraId`)} testId={`rule-action-${i}-camera`}>
                  {(p) => (
                    <select {...p} value={String(a.cameraId ?? '')} onChange={(e) => setAction(i, { cameraId: e.target.value })}>
                      <option value="">choose…</option>
                      {meta.cameras
                        .filter((x) => x.onvif)
                        .map((x) => (
                          <option key={x.id} value={x.id}>
                            {x.name}
                          </option>
                        ))}
                    </select>
                  )}
                </Field>
                {a.type === 'relay' ? (
                  <>
                    <Field label="Relay token" error={err(`actions[${i}].token`)}>
                      {(p) => <input {...p} value={String(a.token ?? '')} onChange={(e) => setAction(i, { token: e.target.value })} />}
                    </Field>
                    <Field label="Pulse (s; empty: stay)" error={err(`actions[${i}].seconds`)}>
                      {(p) => (
                        <input
                          {...p}
                          type="number"
                          min={1}
                          max={3600}
                          value={a.seconds === undefined ? '' : String(a.seconds)}
                          onChange={(e) => setAction(i, { seconds: e.target.value === '' ? undefined : Number(e.target.value) })}
                        />
                      )}
                    </Field>
                  </>
                ) : (
                  <Field label="Preset token" error={err(`actions[${i}].preset`)}>
                    {(p) => <input {...p} value={String(a.preset ?? '')} onChange={(e) => setAction(i, { preset: e.target.value })} />}
                  </Field>
                )}
              </>
            )}
            <RowButton
              onClick={() => set({ actions: d.actions.filter((_, j) => j !== i) })}
              aria-label={`Remove action ${i + 1}`}
              data-testid={`rule-action-${i}-remove`}
            >
              Remove
            </RowButton>
          </div>
        ))}
        <label className="rule-add-action">
          Add an action{' '}
          <select
            value=""
            onChange={(e) => {
              if (e.target.value) set({ actions: [...d.actions, newAction(e.target.value as ActionType)] });
            }}
            data-testid="rule-add-action"
          >
            <option value="">choose…</option>
            {ACTION_TYPES.map((a) => (
              <option key={a} value={a}>
                {ACTION_LABELS[a]}
              </option>
            ))}
          </select>
        </label>
      </fieldset>

      <FormError error={saveError} testId="rule-save-error" />
      <div className="form-actions left">
        {isAdmin && (
          <button type="submit" className="btn primary" disabled={saving} data-testid="rule-save">
            {isNew ? 'Add rule' : 'Save'} <kbd>Ctrl+S</kbd>
          </button>
        )}
        <button type="button" className="btn" onClick={() => void dryRun()} disabled={dry.busy} data-testid="rule-dryrun">
          Dry run <kbd>Ctrl+Enter</kbd>
        </button>
        <select
          value={range}
          onChange={(e) => setRange(e.target.value as typeof range)}
          aria-label="Dry run range"
          data-testid="dryrun-range"
        >
          {RANGES.map((r) => (
            <option key={r.key} value={r.key}>
              {r.label}
            </option>
          ))}
        </select>
        <button type="button" className="btn ghost" onClick={onClose}>
          Close <kbd>Esc</kbd>
        </button>
        <span className="muted">{errors.length ? `${errors.length} problem(s)` : 'checked'}</span>
      </div>

      {(dry.result || dry.error || dry.busy) && (
        <section className="dryrun" aria-live="polite" data-testid="dryrun">
          {dry.busy && <p className="muted">Looking through the stored events…</p>}
          <FormError error={dry.error} />
          {dry.result && (
            <>
              <p className="dryrun-count" data-testid="dryrun-count" data-alarms={dry.result.alarms} data-matched={dry.result.matched}>
                <strong>{dry.result.alarms}</strong> alarm{dry.result.alarms === 1 ? '' : 's'} would have been raised
                <span className="muted">
                  {' '}
                  · {dry.result.matched} match{dry.result.matched === 1 ? '' : 'es'}, {dry.result.coalesced} counted on an open alarm
                  {dry.result.shadowed ? `, ${dry.result.shadowed} taken first by an earlier rule` : ''} · {dry.result.scanned} stored
                  events, {formatDateTime(Date.parse(dry.result.from), tz)} – {formatDateTime(Date.parse(dry.result.to), tz)}
                </span>
              </p>
              {dry.result.items.length > 0 && (
                <div className="table-wrap dryrun-list">
                  <table className="grid" data-testid="dryrun-list">
                    <thead>
                      <tr>
                        <th>Time</th>
                        <th>Camera</th>
                        <th>What matched</th>
                        <th>Would be</th>
                        <th>Alarm</th>
                      </tr>
                    </thead>
                    <tbody>
                      {dry.result.items.map((i, n) => (
                        <tr key={n} data-outcome={i.outcome} className={i.outcome === 'raised' && !i.shadowedBy ? '' : 'dim'}>
                          <td>{formatDateTime(Date.parse(i.time), tz)}</td>
                          <td>{i.cameraId ? camName(i.cameraId) : '–'}</td>
                          <td>{i.what}</td>
                          <td>
                            {i.shadowedBy
                              ? `taken by ${i.shadowedBy}`
                              : i.outcome === 'coalesced'
                                ? 'counted on the one before'
                                : i.outcome}
                          </td>
                          <td>{i.priority ? `P${i.priority} ${ALARM_TYPE_LABELS[i.type]}: ${i.title}` : '–'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {dry.result.truncated && (
                    <p className="muted">The first {dry.result.items.length} are listed; the counts are complete.</p>
                  )}
                </div>
              )}
            </>
          )}
        </section>
      )}
    </form>
  );
}
