// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { ReviewItem } from '../../../../main/api/detection.js';
import type { PersonInfo } from '../../../../main/api/faces.js';
import { FakeServer } from '../../test-support/fake-server.js';
import { SignedIn, testSettings, viewHarness } from '../../test-support/view-harness.js';
import { ReviewView } from './ReviewView.js';

const item: ReviewItem = {
  id: 42,
  cameraId: 'door',
  label: 'person',
  score: 0.9,
  trackId: 3,
  start: new Date(Date.now() - 60_000).toISOString(),
  end: new Date(Date.now() - 50_000).toISOString(),
  box: [0.1, 0.1, 0.5, 0.9],
  zones: [],
  alert: false,
  alarmIds: [],
  snapshot: false,
  reviewed: null,
  face: { personId: null, name: null, distance: 0.62, reason: 'no-match', quality: 0.58, cropId: 'c_7' },
};
const person: PersonInfo = { id: 'p_j', name: 'J. Doe', badges: [], groups: [], created: '2026-12-01T08:00:00Z', updated: '2026-12-01T08:00:00Z', enrolments: [] };

const h = viewHarness({ providers: ['settings', 'cameras', 'toast'], waitMs: 80, renderWaitMs: 200 });
const { wait, key, q } = h;

function start(role: 'admin' | 'guard') {
  const server = new FakeServer(
    {
      'settings.get': () => testSettings,
      'cameras.list': () => [],
      'zones.list': () => [],
      'review.list': () => ({ items: [item], nextCursor: null }),
      'people.list': () => [person],
      'faces.getCrop': (p) => ({ id: (p as { id: string }).id, dataUrl: 'data:image/jpeg;base64,CROP' }),
      'people.enrolFromEvent': (p) => {
        const e = { id: 'e_1', quality: 0.58, grade: 'fair' as const, sizePx: 72, source: 'event' as const, hasImage: true, created: '2026-12-06T10:00:00Z' };
        return { person: { ...person, enrolments: [e] }, enrolment: e, eventId: (p as { eventId: number }).eventId, cropId: 'c_7', cameraId: 'door', time: item.start };
      },
    },
    { username: role, role },
  );
  h.start(server);
}
const render = () =>
  h.render(
    <SignedIn>
      <ReviewView />
    </SignedIn>,
  );

describe('Review: enrol the face of an object', () => {
  it('an admin presses e on an item with a face: the kept crop, pick the person, Enter enrols it from the event', async () => {
    start('admin');
    await render();
    expect(q('review-detail-face')!.textContent).toMatch(/unknown \(no-match\)/);
    expect(q('review-enrol-face')).not.toBeNull();
    await key('e');
    await wait();
    expect(q('enrol-event-dialog')).not.toBeNull();
    expect(h.server.calls.find((c) => c.method === 'faces.getCrop')!.params).toEqual({ id: 'c_7' });
    // one person: picked at once
    expect((q('enrol-event-person') as HTMLSelectElement).value).toBe('p_j');
    await key('Enter');
    await wait();
    expect(h.server.calls.find((c) => c.method === 'people.enrolFromEvent')!.params).toEqual({ person: 'p_j', eventId: 42 });
    expect(q('enrol-event-dialog')).toBeNull();
  });

  it('a guard sees the match but no enrol action', async () => {
    start('guard');
    await render();
    expect(q('review-detail-face')).not.toBeNull();
    expect(q('review-enrol-face')).toBeNull();
    await key('e');
    await wait();
    expect(q('enrol-event-dialog')).toBeNull();
    expect(h.server.calls.some((c) => c.method === 'people.list' || c.method === 'people.enrolFromEvent')).toBe(false);
  });
});
