// @vitest-environment happy-dom
/**
 * Settings → On call → Rotas: the rota dialog shows the API's validation
 * messages on their fields (the fake server checks rotas.add/update/remove
 * with the contract's own schemas), saves one rota per call and never the
 * whole list; members are picked from the contacts and put in order with
 * the arrows and Alt+↑/↓, the local start time is stored in UTC;
 * the section says whose turn it is and until when, and Remove asks first.
 * And a push device's camera filter in Settings → Notifications.
 */
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError, parseParams, type Settings } from '../../../../main/api/contract.js';
import type { ContactView, PushSubscriptionInfo, Rota } from '../../../../main/api/notify.js';
import { FakeServer } from '../../test-support/fake-server.js';
import { viewHarness } from '../../test-support/view-harness.js';
import { NotificationsTab } from './NotificationsTab.js';
import { fromLocalInput, moveItem, RotaDialog, rotaFieldOf, toLocalInput } from './RotaDialog.js';
import { RotasSection } from './RotasSection.js';

const TZ = 'Europe/Berlin';
const contact = (id: string, name: string, level = 3): ContactView => ({
  id,
  name,
  email: `${id}@example.org`,
  username: null,
  mqttTopic: null,
  webhookUrl: null,
  priorities: [],
  level,
  duty: [],
  enabled: true,
  onDuty: true,
  dutyNote: 'always',
});
const CONTACTS = [contact('ann', 'Ann Tech'), contact('bob', 'Bob Tech'), contact('cy', 'Cy Tech', 2)];

let rotas: Rota[];
let subs: PushSubscriptionInfo[];

beforeEach(() => {
  rotas = [{ id: 'days', name: 'Days', startsAt: '2026-01-05T06:00:00Z', periodHours: 24, members: ['cy'] }];
  subs = [
    {
      id: 4,
      username: 'admin',
      label: 'Pixel 8',
      service: 'https://fcm.googleapis.com',
      priorities: [1, 2],
      cameraIds: null,
      createdAt: '2026-03-01T10:00:00Z',
      lastOkAt: null,
      lastError: null,
      failures: 0,
    },
  ];
});
function uniqueName(name: string, id: string | null) {
  if (rotas.some((r) => r.id !== id && r.name.toLowerCase() === name.toLowerCase()))
    throw new ApiError('conflict', `a rota named "${name}" exists; use another name or change that one`, 'name');
}
function makeServer() {
  return new FakeServer({
    'settings.get': () => ({ timeZone: TZ }) as Settings,
    'oncall.get': () => ({ ladders: [], rotas, retrySeconds: [5] }),
    // the contract's schemas, and the engine's rule that names are unique (on the rota's own field)
    'rotas.add': (p) => {
      const v = parseParams('rotas.add', p);
      uniqueName(v.name, null);
      const r = { ...v, id: v.name.toLowerCase().replace(/\W+/g, '-') };
      rotas = [...rotas, r];
      return r;
    },
    'rotas.update': (p) => {
      const { id, ...patch } = parseParams('rotas.update', p);
      const cur = rotas.find((r) => r.id === id);
      if (!cur) throw new ApiError('not_found', `no rota "${id}": it was removed meanwhile; see oncall.get (Settings → On call)`);
      if (patch.name) uniqueName(patch.name, id);
      const r = { ...cur, ...patch };
      rotas = rotas.map((x) => (x.id === id ? r : x));
      return r;
    },
    'rotas.remove': (p) => {
      const { id } = parseParams('rotas.remove', p);
      if (!rotas.some((r) => r.id === id)) throw new ApiError('not_found', `no rota "${id}"`);
      rotas = rotas.filter((r) => r.id !== id);
      return { ok: true as const };
    },
    'cameras.list': () =>
      [
        { id: 'yard', name: 'Yard' },
        { id: 'gate', name: 'Gate' },
      ] as never,
    'push.list': () => subs,
    'push.update': (p) => {
      const v = parseParams('push.update', p);
      if (v.cameraIds && !v.cameraIds.length)
        throw new ApiError('bad_request', 'push.update: pick at least one camera, or "All cameras" (null)', 'cameraIds');
      subs = subs.map((s) => (s.id === v.id ? { ...s, cameraIds: v.cameraIds ?? null } : s));
      return subs[0]!;
    },
  });
}
const h = viewHarness({ server: makeServer, providers: ['settings', 'cameras', 'toast'] });
const { render, wait, key, q, type, click } = h;
const submit = async () => {
  await click('rota-submit');
  await wait(100);
};
const memberOrder = () =>
  [...h.host.querySelectorAll('[data-testid="rota-member-list"] li')].map((li) =>
    li.getAttribute('data-testid')!.replace('rota-member-', ''),
  );
const callsOf = (method: string) => h.server.calls.filter((c) => c.method === method).map((c) => c.params as Record<string, unknown>);
/** The console never reads and writes back the whole list. */
const wholeList = () => h.server.calls.filter((c) => c.method === 'oncall.set' || c.method === 'oncall.get');

describe('rota dialog helpers', () => {
  it('moves a member up and down, not past the ends', () => {
    expect(moveItem(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });

  it("puts the API's errors for this rota on its fields, another rota's and others on the form", () => {
    expect(rotaFieldOf('name')).toBe('name');
    expect(rotaFieldOf('members.0')).toBe('members');
    expect(rotaFieldOf('periodHours')).toBe('periodHours');
    expect(rotaFieldOf('startsAt')).toBe('startsAt');
    expect(rotaFieldOf('rotas.0.name')).toBe('form');
    expect(rotaFieldOf('id')).toBe('form');
    expect(rotaFieldOf(null)).toBe('form');
  });

  it('reads and writes the start time in the site zone, stored in UTC', () => {
    expect(toLocalInput(Date.parse('2026-03-02T07:00:00Z'), TZ)).toBe('2026-03-02T08:00');
    expect(fromLocalInput('2026-03-02T08:00', TZ)).toBe('2026-03-02T07:00:00Z');
    expect(fromLocalInput('2026-07-01T08:00', TZ)).toBe('2026-07-01T06:00:00Z');
    expect(fromLocalInput('', TZ)).toBe('');
  });
});

describe('the rota dialog', () => {
  it('shows the API messages on the fields, orders the members, and adds that rota alone', async () => {
    let done = '';
    await render(<RotaDialog rota={null} contacts={CONTACTS} timeZone={TZ} onClose={() => {}} onDone={(n) => (done = n)} />);
    expect(document.activeElement).toBe(q('rota-name'));

    // nothing filled in: the name's message from the contract, on the name
    await submit();
    expect(q('rota-name-error')!.textContent).toBe('a rota needs a name');
    await type('rota-name', 'Night techs');
    await submit();
    expect(q('rota-name-error')).toBeNull();
    expect(q('rota-members-error')!.textContent).toBe('a rota needs at least one member');

    // members from the contacts, in the order added; the picker offers only the others
    await click('rota-member-add'); // Ann (the first free)
    await type('rota-member-pick', 'cy');
    await click('rota-member-add');
    await click('rota-member-add'); // Bob
    expect(memberOrder()).toEqual(['ann', 'cy', 'bob']);
    expect((q('rota-member-add') as HTMLButtonElement).disabled).toBe(true);
    // the arrows: Bob up
    await click(h.host.querySelector('[data-testid="rota-member-bob"] [data-move="up"]') as HTMLElement);
    expect(memberOrder()).toEqual(['ann', 'bob', 'cy']);
    // Alt+↓ moves the member whose row has the focus
    await act(async () => (h.host.querySelector('[data-testid="rota-member-ann"] [data-move="down"]') as HTMLElement).focus());
    await key('ArrowDown', { altKey: true });
    expect(memberOrder()).toEqual(['bob', 'ann', 'cy']);
    // the first has no "up", the last no "down"
    expect((h.host.querySelector('[data-testid="rota-member-bob"] [data-move="up"]') as HTMLButtonElement).disabled).toBe(true);
    expect((h.host.querySelector('[data-testid="rota-member-cy"] [data-move="down"]') as HTMLButtonElement).disabled).toBe(true);
    // out again, and back at the end
    await click(h.host.querySelector('[data-testid="rota-member-cy"] [data-testid="rota-member-remove"]') as HTMLElement);
    expect(memberOrder()).toEqual(['bob', 'ann']);

    // a custom period left empty: the contract's message, on the period
    await type('rota-period', 'custom');
    await type('rota-period-hours', '');
    await submit();
    expect(q('rota-period-error')!.textContent).toBe('the period is a number of hours');
    await type('rota-period-hours', '0');
    await submit();
    expect(q('rota-period-error')!.textContent).toBe('a turn lasts at least 1 hour');
    await type('rota-period', '12');

    // a name another rota has: the engine's message, on the name
    await type('rota-name', 'days');
    await submit();
    expect(q('rota-name-error')!.textContent).toBe('a rota named "days" exists; use another name or change that one');
    await type('rota-name', 'Night techs');
    await type('rota-starts', '2026-03-02T20:00');
    expect(q('rota-preview')!.textContent).toMatch(
      /Now: (Bob|Ann) Tech until \d{4}-\d\d-\d\d \d\d:\d\d, then (Ann|Bob) Tech\. Turns of 12 h\./,
    );
    await submit();
    expect(done).toBe('Night techs');
    // one rota added: the others are not sent, nor read first
    expect(callsOf('rotas.add').at(-1)).toEqual({
      name: 'Night techs',
      startsAt: '2026-03-02T19:00:00Z',
      periodHours: 12,
      members: ['bob', 'ann'],
    });
    expect(rotas.map((r) => r.id)).toEqual(['days', 'night-techs']);
    expect(wholeList()).toHaveLength(0);
  });

  it('edits a rota in place with only the fields changed, keeping its id and the others', async () => {
    rotas = [...rotas, { id: 'nights', name: 'Nights', startsAt: '2026-01-05T18:00:00Z', periodHours: 36, members: ['ann', 'bob'] }];
    await render(<RotaDialog rota={rotas[1]!} contacts={CONTACTS} timeZone={TZ} onClose={() => {}} onDone={() => {}} />);
    expect((q('rota-period') as HTMLSelectElement).value).toBe('custom');
    expect((q('rota-period-hours') as HTMLInputElement).value).toBe('36');
    expect((q('rota-starts') as HTMLInputElement).value).toBe('2026-01-05T19:00');
    expect(memberOrder()).toEqual(['ann', 'bob']);
    // meanwhile another admin renames it and changes the other rota
    rotas = rotas.map((r) => (r.id === 'nights' ? { ...r, name: 'Night shift' } : { ...r, periodHours: 12 }));
    await type('rota-period', '168');
    await submit();
    expect(callsOf('rotas.update')).toEqual([{ id: 'nights', periodHours: 168 }]);
    expect(rotas.map((r) => [r.id, r.name, r.periodHours])).toEqual([
      ['days', 'Days', 12],
      ['nights', 'Night shift', 168],
    ]);
    expect(wholeList()).toHaveLength(0);
  });

  it('says so when the rota was removed meanwhile, and puts a name clash on the name', async () => {
    rotas = [...rotas, { id: 'nights', name: 'Nights', startsAt: '2026-01-05T18:00:00Z', periodHours: 36, members: ['ann', 'bob'] }];
    let done = false;
    await render(<RotaDialog rota={rotas[1]!} contacts={CONTACTS} timeZone={TZ} onClose={() => {}} onDone={() => (done = true)} />);
    await type('rota-name', 'DAYS');
    await submit();
    expect(q('rota-name-error')!.textContent).toBe('a rota named "DAYS" exists; use another name or change that one');
    await click(h.host.querySelector('[data-testid="rota-member-bob"] [data-move="up"]') as HTMLElement);
    await type('rota-name', 'Nights');
    rotas = rotas.filter((r) => r.id !== 'nights');
    await submit();
    expect(callsOf('rotas.update').at(-1)).toEqual({ id: 'nights', members: ['bob', 'ann'] });
    expect(q('rota-error')!.textContent).toMatch(/Nights was removed meanwhile; close this and add it again/);
    expect(done).toBe(false);
  });
});

describe('the rotas section', () => {
  it('says whose turn it is and until when; Remove asks first and removes that rota alone', async () => {
    const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 25 * 3_600_000; // Bob's turn began an hour ago
    rotas = [
      { id: 'techs', name: 'Techs', startsAt: new Date(start).toISOString(), periodHours: 24, members: ['ann', 'bob', 'cy'] },
      { id: 'later', name: 'Later', startsAt: '2099-01-01T00:00:00Z', periodHours: 24, members: ['cy'] },
    ];
    await render(<RotasSection rotas={rotas} contacts={CONTACTS} isAdmin timeZone={TZ} onChanged={() => {}} />);
    const [techs, later] = [...h.host.querySelectorAll('[data-testid="rota-row"]')] as HTMLElement[];
    expect(techs!.querySelector('[data-testid="rota-now"]')!.textContent).toBe('Bob Tech (2 of 3)');
    expect(techs!.querySelector('[data-testid="rota-until"]')!.textContent).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d then Cy Tech$/);
    expect(techs!.textContent).toMatch(/24 h from/);
    expect(techs!.textContent).toMatch(/Ann Tech → Bob Tech → Cy Tech/);
    expect(later!.querySelector('[data-testid="rota-now"]')!.textContent).toBe('not started');
    expect(later!.querySelector('[data-testid="rota-until"]')!.textContent).toBe('starts 2099-01-01 01:00 with Cy Tech');

    // keyboard: focus in the list, j to the next, Delete asks
    await act(async () => techs!.focus());
    await key('j');
    expect(document.activeElement).toBe(later);
    await key('Delete');
    expect(q('rota-remove-dialog')!.textContent).toMatch(/Remove the rota Later\?/);
    expect(callsOf('rotas.remove')).toHaveLength(0);
    await click('confirm-ok');
    await wait(100);
    expect(callsOf('rotas.remove')).toEqual([{ id: 'later' }]);
    expect(rotas.map((r) => r.id)).toEqual(['techs']);
    expect(wholeList()).toHaveLength(0);
    expect(q('rota-remove-dialog')).toBeNull();
    // R opens a new rota
    await act(async () => (document.activeElement as HTMLElement | null)?.blur());
    await key('r');
    expect(q('rota-dialog')!.textContent).toMatch(/Add rota/);
  });
});

describe('push camera filter', () => {
  it('chooses "only these cameras" for a device, refuses none ticked, and back to all cameras', async () => {
    await render(<NotificationsTab />);
    await wait(100);
    const cell = () => q('push-row-cameras')!.textContent!;
    expect(cell()).toMatch(/^All cameras/);
    await click('push-cameras');
    expect(q('push-cameras-dialog')).not.toBeNull();
    expect((q('push-cam-yard') as HTMLInputElement).disabled).toBe(true);
    await click('push-cams-some');
    await click('push-cams-save');
    await wait(100);
    expect(q('push-cams-error')!.textContent).toMatch(/pick at least one camera/);
    await click('push-cam-gate');
    await click('push-cams-save');
    await wait(150);
    expect(q('push-cameras-dialog')).toBeNull();
    expect(h.server.calls.filter((c) => c.method === 'push.update').at(-1)!.params).toEqual({ id: 4, cameraIds: ['gate'] });
    expect(cell()).toMatch(/^Gate/);
    // c on the selected device, then All cameras
    await act(async () => (h.host.querySelector('[data-testid="push-row"]') as HTMLElement).focus());
    await key('c');
    expect((q('push-cam-gate') as HTMLInputElement).checked).toBe(true);
    await click('push-cams-all');
    await click('push-cams-save');
    await wait(150);
    expect(h.server.calls.filter((c) => c.method === 'push.update').at(-1)!.params).toEqual({ id: 4, cameraIds: null });
    expect(cell()).toMatch(/^All cameras/);
  });
});
