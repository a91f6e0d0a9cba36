import { useState, type FormEvent } from 'react';
import type { ContactView, Rota } from '../../../../main/api/notify.js';
import { formatPeriod, PERIOD_CHOICES, rotaTurn } from '../../../../main/api/rota.js';
import { useClient } from '../../api/context.js';
import { useShortcuts } from '../../keyboard/useShortcuts.js';
import { formatDateTime, zonedToUtc, zoneParts } from '../../time/index.js';
import { Dialog } from '../../ui/Dialog.js';
import { Field } from '../../ui/Field.js';
import { fieldError } from '../../ui/format.js';
import { FormFooter } from '../../ui/FormFooter.js';
import { RowButton } from '../../ui/RowButton.js';

const p2 = (n: number) => String(n).padStart(2, '0');

/** An instant as the value of a datetime-local input, in the site's zone: "2026-03-02T08:00". */
export function toLocalInput(ms: number, timeZone: string): string {
  const p = zoneParts(ms, timeZone);
  return `${p.year}-${p2(p.month)}-${p2(p.day)}T${p2(p.hour)}:${p2(p.minute)}`;
}

/** A datetime-local value read in the site's zone, as ISO 8601 UTC; "" when empty or not a time (the API then says what to give). */
export function fromLocalInput(value: string, timeZone: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(value);
  if (!m) return '';
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  return new Date(zonedToUtc({ year, month, day, hour, minute }, timeZone)).toISOString().replace(/\.000Z$/, 'Z');
}

/** Move item `i` of a list by `delta` places (up is -1); the list is unchanged at its ends. */
export function moveItem<T>(list: readonly T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (i < 0 || i >= list.length || j < 0 || j >= list.length) return [...list];
  const out = [...list];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

const ROTA_FIELDS = new Set(['name', 'startsAt', 'periodHours', 'members']);

/**
 * Which form field a server error belongs to: rotas.add and rotas.update name
 * the rota's own field (`periodHours`, `members.1`); another rota's problem
 * (`rotas.2.members`) and anything else is the form's.
 */
export function rotaFieldOf(field: string | null): string {
  const first = (field ?? '').split('.')[0]!;
  return ROTA_FIELDS.has(first) ? first : 'form';
}

type Period = '12' | '24' | '168' | 'custom';
const periodChoice = (hours: number): Period => (PERIOD_CHOICES.some((c) => c.hours === hours) ? (String(hours) as Period) : 'custom');

/**
 * Add or change one rota: its name, when the first turn starts (a local
 * time in the site's zone, stored as UTC), how long a turn lasts, and the
 * members in the order they take turns. Saved with rotas.add, or
 * rotas.update with only the fields changed here: one rota per request, so a
 * change another admin makes meanwhile (to another rota, or to another field
 * of this one) stays. The API's messages show on the fields.
 */
export function RotaDialog({
  rota,
  contacts,
  timeZone,
  onClose,
  onDone,
}: {
  rota: Rota | null;
  contacts: ContactView[];
  timeZone: string;
  onClose: () => void;
  onDone: (name: string) => void;
}) {
  const client = useClient();
  const [name, setName] = useState(rota?.name ?? '');
  const [starts, setStarts] = useState(() => {
    if (rota) return toLocalInput(Date.parse(rota.startsAt), timeZone);
    const nextHour = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
    return toLocalInput(nextHour, timeZone);
  });
  const [period, setPeriod] = useState<Period>(periodChoice(rota?.periodHours ?? 168));
  const [custom, setCustom] = useState(String(rota?.periodHours ?? 36));
  const [members, setMembers] = useState<string[]>(rota?.members ?? []);
  const [pick, setPick] = useState('');
  const [focused, setFocused] = useState<number | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const nameOf = (id: string) => contacts.find((c) => c.id === id)?.name ?? id;
  const free = contacts.filter((c) => !members.includes(c.id));
  const chosen = pick && free.some((c) => c.id === pick) ? pick : (free[0]?.id ?? '');
  const periodHours = period === 'custom' ? (custom.trim() === '' ? Number.NaN : Number(custom)) : Number(period);
  const startsAt = fromLocalInput(starts, timeZone);

  const move = (i: number, delta: number) => {
    if (i + delta < 0 || i + delta >= members.length) return;
    const id = members[i]!;
    setMembers((m) => moveItem(m, i, delta));
    setFocused(i + delta);
    // the moved member's row keeps the focus: its arrow the same way, else the other one at an end of the list
    requestAnimationFrame(() => {
      const row = document.querySelector(`[data-testid="rota-member-${id}"]`);
      const same = row?.querySelector<HTMLButtonElement>(`[data-move="${delta < 0 ? 'up' : 'down'}"]:not(:disabled)`);
      (same ?? row?.querySelector<HTMLButtonElement>('[data-move]:not(:disabled)'))?.focus();
    });
  };
  const add = () => {
    if (!chosen) return;
    setMembers((m) => [...m, chosen]);
    setPick('');
    setErrors(({ members: _, ...rest }) => rest);
  };

  useShortcuts('Rota', [
    {
      keys: 'alt+up',
      description: 'Move the focused member up (earlier turn)',
      run: () => (focused === null ? false : move(focused, -1)),
    },
    {
      keys: 'alt+down',
      description: 'Move the focused member down (later turn)',
      run: () => (focused === null ? false : move(focused, 1)),
    },
  ]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setBusy(true);
    const mine = {
      name: name.trim(),
      startsAt,
      // NaN goes as null: the API says "the period is a number of hours"
      periodHours: Number.isFinite(periodHours) ? periodHours : (null as unknown as number),
      members,
    };
    try {
      if (rota) {
        // only what changed here: another admin's change to the other fields stays
        const sameStart = Date.parse(mine.startsAt) === Date.parse(rota.startsAt);
        await client.call('rotas.update', {
          id: rota.id,
          ...(mine.name !== rota.name && { name: mine.name }),
          ...(!sameStart && { startsAt: mine.startsAt }),
          ...(mine.periodHours !== rota.periodHours && { periodHours: mine.periodHours }),
          ...(mine.members.join(',') !== rota.members.join(',') && { members: mine.members }),
        });
      } else {
        await client.call('rotas.add', mine);
      }
    } catch (err) {
      if (rota && (err as { code?: string }).code === 'not_found')
        setErrors({ form: `${rota.name} was removed meanwhile; close this and add it again` });
      else {
        const { field, message } = fieldError(err);
        setErrors({ [rotaFieldOf(field)]: message });
      }
      setBusy(false);
      return;
    }
    onDone(mine.name);
  };

  // what these settings mean now, before saving
  const turn =
    startsAt && Number.isFinite(periodHours) && periodHours > 0 ? rotaTurn({ startsAt, periodHours, members }, Date.now()) : null;
  const preview = !members.length
    ? null
    : turn
      ? `Now: ${nameOf(turn.member)} until ${formatDateTime(turn.endsMs, timeZone).slice(0, 16)}, then ${nameOf(turn.next)}.`
      : startsAt
        ? `The first turn, ${nameOf(members[0]!)}’s, starts ${formatDateTime(startsAt, timeZone).slice(0, 16)}.`
        : null;

  return (
    <Dialog title={rota ? `Edit rota ${rota.name}` : 'Add rota'} onClose={onClose} testId="rota-dialog" scope="Rota" width={520}>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Name" error={errors.name} testId="rota-name">
          {(p) => (
            <input {...p} data-autofocus value={name} onChange={(e) => setName(e.target.value)} maxLength={80} data-testid="rota-name" />
          )}
        </Field>
        <Field
          label={`First turn starts at (${timeZone})`}
          error={errors.startsAt}
          testId="rota-starts"
          hint="The first member’s turn; then each in order, and round again."
        >
          {(p) => (
            <input {...p} type="datetime-local" value={starts} onChange={(e) => setStarts(e.target.value)} data-testid="rota-starts" />
          )}
        </Field>
        <Field label="Each turn lasts" error={errors.periodHours} testId="rota-period">
          {(p) => (
            <span className="rota-period">
              <select {...p} value={period} onChange={(e) => setPeriod(e.target.value as Period)} data-testid="rota-period">
                {PERIOD_CHOICES.map((c) => (
                  <option key={c.hours} value={c.hours}>
                    {c.label}
                  </option>
                ))}
                <option value="custom">custom…</option>
              </select>
              {period === 'custom' && (
                <label className="inline">
                  <input
                    type="number"
                    min={1}
                    max={2160}
                    step={1}
                    value={custom}
                    onChange={(e) => setCustom(e.target.value)}
                    aria-label="Hours each turn lasts"
                    aria-invalid={!!errors.periodHours}
                    data-testid="rota-period-hours"
                  />{' '}
                  hours
                </label>
              )}
            </span>
          )}
        </Field>
        <Field
          label="Members, in the order they take turns"
          error={errors.members}
          testId="rota-members"
          hint={
            <>
              Tab to a member; <kbd>Alt+↑</kbd>/<kbd>Alt+↓</kbd> or its arrows move it.
            </>
          }
        >
          {(p) => (
            <div className="rota-members">
              {members.length ? (
                <ol id={p.id} aria-describedby={p['aria-describedby']} data-testid="rota-member-list">
                  {members.map((m, i) => (
                    <li
                      key={m}
                      data-testid={`rota-member-${m}`}
                      onFocus={() => setFocused(i)}
                      onBlur={() => setFocused(null)}
                      className={turn?.index === i ? 'current' : ''}
                    >
                      <span className="rota-member-name">
                        {i + 1}. {nameOf(m)}
                      </span>
                      <button
                        type="button"
                        className="btn ghost small icon"
                        data-move="up"
                        disabled={i === 0}
                        onClick={() => move(i, -1)}
                        aria-label={`Move ${nameOf(m)} up`}
                        title="Earlier turn (Alt+↑)"
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        className="btn ghost small icon"
                        data-move="down"
                        disabled={i === members.length - 1}
                        onClick={() => move(i, 1)}
                        aria-label={`Move ${nameOf(m)} down`}
                        title="Later turn (Alt+↓)"
                      >
                        ↓
                      </button>
                      <RowButton
                        onClick={() => (setMembers((x) => x.filter((y) => y !== m)), setFocused(null))}
                        aria-label={`Take ${nameOf(m)} out of the rota`}
                        data-testid="rota-member-remove"
                      >
                        Remove
                      </RowButton>
                    </li>
                  ))}
                </ol>
              ) : (
                <p className="muted" id={p.id}>
                  No members yet.
                </p>
              )}
              <span className="rota-add">
                <select
                  value={chosen}
                  onChange={(e) => setPick(e.target.value)}
                  disabled={!free.length}
                  aria-label="Contact to add to the rota"
                  data-testid="rota-member-pick"
                >
                  {free.length ? (
                    free.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name} (level {c.level})
                      </option>
                    ))
                  ) : (
                    <option value="">{contacts.length ? 'every contact is in it' : 'no contacts: add one first'}</option>
                  )}
                </select>
                <button type="button" className="btn" onClick={add} disabled={!chosen} data-testid="rota-member-add">
                  Add member
                </button>
              </span>
            </div>
          )}
        </Field>
        {preview && (
          <p className="muted" data-testid="rota-preview">
            {preview} {Number.isFinite(periodHours) && periodHours > 0 ? `Turns of ${formatPeriod(periodHours)}.` : ''}
          </p>
        )}
        <FormFooter
          error={errors.form || errors.id}
          errorTestId="rota-error"
          onCancel={onClose}
          submitLabel="Save"
          busyLabel="Saving…"
          busy={busy}
          submitTestId="rota-submit"
        />
      </form>
    </Dialog>
  );
}
