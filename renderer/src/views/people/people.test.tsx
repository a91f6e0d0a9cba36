// @vitest-environment happy-dom
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../../main/api/contract.js';
import type { PersonInfo, PhotoFaceInfo } from '../../../../main/api/faces.js';
import { FakeServer } from '../../test-support/fake-server.js';
import { SignedIn, testSettings, viewHarness } from '../../test-support/view-harness.js';
import { PeopleView } from './PeopleView.js';

let people: PersonInfo[];

const person = (id: string, name: string, o: Partial<PersonInfo> = {}): PersonInfo => ({
  id,
  name,
  badges: [],
  groups: [],
  created: '2026-12-01T08:00:00Z',
  updated: '2026-12-01T08:00:00Z',
  enrolments: [],
  ...o,
});
const face = (index: number, usable = true): PhotoFaceInfo => ({
  index,
  box: [10, 10, 110, 110],
  sizePx: 100,
  quality: 0.8 - index * 0.1,
  grade: 'good',
  usable,
  problem: usable ? null : 'the face is 30 px wide',
  thumbnail: 'data:image/jpeg;base64,AAAA',
});

beforeEach(() => {
  people = [
    person('p_ann', 'Ann Admin', { badges: ['42'], groups: ['staff'], enrolments: [{ id: 'e_1', quality: 0.81, grade: 'good', sizePx: 180, source: 'photo', hasImage: true, created: '2026-12-01T08:00:00Z' }] }),
    person('p_bob', 'Bob Visitor', { groups: ['visitor'] }),
  ];
});
function makeServer() {
  return new FakeServer({
    'settings.get': () => testSettings,
    'cameras.list': () => [],
    'people.list': () => people,
    'people.getEnrolmentImage': (p) => ({ id: (p as { enrolmentId: string }).enrolmentId, dataUrl: 'data:image/jpeg;base64,AAAA' }),
    'people.add': (p) => {
      const x = p as { name: string; badges: string[]; groups: PersonInfo['groups'] };
      const np = person('p_new', x.name, { badges: x.badges, groups: x.groups });
      people = [...people, np];
      queueMicrotask(() => h.server.emit('people.changed', { by: 'admin' }));
      return np;
    },
    'people.findFaces': () => ({ width: 800, height: 600, faces: [face(0), face(1), face(2, false)] }),
    'people.enrol': (p) => {
      const b = people.find((x) => x.id === (p as { person: string }).person)!;
      const e = { id: 'e_2', quality: 0.7, grade: 'good' as const, sizePx: 100, source: 'photo' as const, hasImage: true, created: '2026-12-02T08:00:00Z' };
      return { person: b, enrolment: e, facesInPhoto: 3 };
    },
    'people.forget': (p) => {
      const b = people.find((x) => x.id === (p as { person: string }).person)!;
      people = people.filter((x) => x !== b);
      queueMicrotask(() => h.server.emit('people.changed', { by: 'admin' }));
      return { person: { id: b.id, name: b.name }, enrolments: b.enrolments.length, crops: 3, files: ['faces/x'], bytes: 10, failed: [], events: 2, alarms: 0 };
    },
    'faces.searchPhoto': () => ({ face: face(0), searched: 12, hits: [{ eventId: null, cameraId: 'door', time: '2026-12-02T10:00:00Z', distance: 0.28, cropId: 'c_9' }] }),
    'faces.search': () => ({ person: { id: 'p_ann', name: 'Ann Admin' }, hits: [{ eventId: 7, cameraId: 'door', time: '2026-12-02T09:00:00Z', distance: 0.31, cropId: 'c_1' }] }),
  });
}
const h = viewHarness({ server: makeServer, providers: ['settings', 'cameras', 'toast'], waitMs: 80, renderWaitMs: 150 });
const { wait, key, q, all, type } = h;
const render = () =>
  h.render(
    <SignedIn>
      <PeopleView />
    </SignedIn>,
  );

describe('the People view', () => {
  it('lists people with their faces; j moves; s searches where the person was seen', async () => {
    await render();
    expect(all('people-row').map((r) => r.dataset.person)).toEqual(['Ann Admin', 'Bob Visitor']);
    expect(q('people-detail')!.dataset.person).toBe('Ann Admin');
    expect(all('people-enrolment')).toHaveLength(1);
    expect(all('people-enrolment')[0]!.dataset.grade).toBe('good');
    await key('s');
    await wait();
    expect(h.server.calls.find((c) => c.method === 'faces.search')!.params).toMatchObject({ person: 'p_ann' });
    expect(q('people-hits')!.dataset.count).toBe('1');
    await key('j');
    await wait();
    expect(q('people-detail')!.dataset.person).toBe('Bob Visitor');
    expect(q('people-hits')).toBeNull();
  });

  it('n adds a person with a badge and a group', async () => {
    await render();
    await key('n');
    await type(q('people-name') as HTMLInputElement, 'Cara Guard');
    await type(q('people-badge') as HTMLInputElement, '77, 78');
    await act(async () => {
      const s = q('people-group') as HTMLSelectElement;
      s.value = 'watchlist';
      s.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(async () => q('people-add-save')!.click());
    await wait(400);
    expect(h.server.calls.find((c) => c.method === 'people.add')!.params).toEqual({ name: 'Cara Guard', badges: ['77', '78'], groups: ['watchlist'] });
    expect(all('people-row').map((r) => r.dataset.person)).toContain('Cara Guard');
  });

  it('e enrols from a photo: the faces found with their quality, several → pick one with a digit, Enter enrols that one', async () => {
    await render();
    await key('e');
    const input = q('people-photo') as HTMLInputElement;
    const file = new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])], 'group.jpg', { type: 'image/jpeg' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await act(async () => input.dispatchEvent(new Event('change', { bubbles: true })));
    await wait(150);
    expect(q('people-candidates')!.dataset.count).toBe('3');
    expect(all('people-candidate').map((c) => c.dataset.usable)).toEqual(['true', 'true', 'false']);
    await key('Enter');
    await wait();
    expect(q('people-enrol-error')!.textContent).toMatch(/several faces/);
    expect(h.server.calls.some((c) => c.method === 'people.enrol')).toBe(false);
    await key('2');
    await key('Enter');
    await wait(150);
    const call = h.server.calls.find((c) => c.method === 'people.enrol')!.params as { person: string; face: number; image: string };
    expect(call).toMatchObject({ person: 'p_ann', face: 1 });
    expect(call.image.length).toBeGreaterThan(10);
    expect(q('people-enrol-dialog')).toBeNull();
  });

  it('Delete forgets the selected person after a confirmation', async () => {
    await render();
    await key('j');
    await key('Delete');
    expect(q('people-forget-dialog')!.textContent).toMatch(/Forget Bob Visitor/);
    await act(async () => q('confirm-ok')!.click());
    await wait(400);
    expect(h.server.calls.find((c) => c.method === 'people.forget')!.params).toEqual({ person: 'p_bob' });
    expect(all('people-row').map((r) => r.dataset.person)).toEqual(['Ann Admin']);
  });

  it('p searches by a photo (not kept): the sightings found among the kept faces', async () => {
    await render();
    const input = q('people-search-photo-file') as HTMLInputElement;
    const file = new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])], 'who.jpg', { type: 'image/jpeg' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await act(async () => input.dispatchEvent(new Event('change', { bubbles: true })));
    await wait(150);
    expect(h.server.calls.find((c) => c.method === 'faces.searchPhoto')!.params).toMatchObject({ limit: 100 });
    expect(q('people-hits')!.dataset.kind).toBe('photo');
    expect(q('people-hits')!.textContent).toMatch(/Photo search: 1 sighting\(s\) among 12 kept face\(s\)/);
    expect(all('people-hit')).toHaveLength(1);
  });

  it('shift+E enrols the face of a sighting from its event: the kept crop, the person, Enter; a crop gone by retention says so', async () => {
    h.server.handlers['faces.getCrop'] = (p) => ({ id: (p as { id: string }).id, dataUrl: 'data:image/jpeg;base64,CROP' });
    let gone = false;
    h.server.handlers['people.enrolFromEvent'] = (p) => {
      const x = p as { person: string; eventId: number };
      if (gone) throw new ApiError('not_found', `the face crop of event ${x.eventId} is no longer kept (unknown faces are kept 7 days, matched faces 30); pick a newer event or upload a photo`, 'eventId');
      const b = people.find((y) => y.id === x.person)!;
      const e = { id: 'e_ev', quality: 0.55, grade: 'fair' as const, sizePx: 64, source: 'event' as const, hasImage: true, created: '2026-12-02T09:00:00Z' };
      return { person: { ...b, enrolments: [...b.enrolments, e] }, enrolment: e, eventId: x.eventId, cropId: 'c_1', cameraId: 'door', time: '2026-12-02T09:00:00Z' };
    };
    await render();
    await key('s');
    await wait();
    expect(all('people-hit')).toHaveLength(1);
    expect(q('people-hit-enrol')).not.toBeNull();
    await key('E', { shiftKey: true });
    await wait();
    expect(q('enrol-event-dialog')).not.toBeNull();
    expect(h.server.calls.find((c) => c.method === 'faces.getCrop')!.params).toEqual({ id: 'c_1' });
    expect((q('enrol-event-crop')!.querySelector('img') as HTMLImageElement).src).toBe('data:image/jpeg;base64,CROP');
    // the person whose sightings these are is picked at first
    expect((q('enrol-event-person') as HTMLSelectElement).value).toBe('p_ann');
    await key('Enter');
    await wait();
    expect(h.server.calls.find((c) => c.method === 'people.enrolFromEvent')!.params).toEqual({ person: 'p_ann', eventId: 7 });
    expect(q('enrol-event-dialog')).toBeNull();

    // again, for Bob, after the crop has gone: the dialog stays with the engine's message
    gone = true;
    await act(async () => q('people-hit-enrol')!.click());
    await wait();
    const sel = q('enrol-event-person') as HTMLSelectElement;
    await act(async () => {
      sel.value = 'p_bob';
      sel.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(async () => q('enrol-event-save')!.click());
    await wait();
    expect(h.server.calls.filter((c) => c.method === 'people.enrolFromEvent').at(-1)!.params).toEqual({ person: 'p_bob', eventId: 7 });
    expect(q('enrol-event-dialog')).not.toBeNull();
    expect(q('enrol-event-error')!.textContent).toMatch(/no longer kept \(unknown faces are kept 7 days/);
  });

  it('a photo-search sighting without an event (a face on a motion frame) offers no enrolment', async () => {
    await render();
    const input = q('people-search-photo-file') as HTMLInputElement;
    const file = new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])], 'who.jpg', { type: 'image/jpeg' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await act(async () => input.dispatchEvent(new Event('change', { bubbles: true })));
    await wait(150);
    expect(all('people-hit')).toHaveLength(1);
    expect(q('people-hit-enrol')).toBeNull();
  });

  it('a guard sees no people list', async () => {
    h.server.user = { username: 'gina', role: 'guard' };
    h.start(h.server); // a new client, signed in as the guard
    await render();
    expect(q('people-forbidden')).not.toBeNull();
    expect(h.server.calls.some((c) => c.method === 'people.list')).toBe(false);
  });
});
