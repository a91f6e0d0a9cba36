// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../../main/api/onvif.js';
import { faceLabel, storedEventMarkers } from './event-markers.js';
import { Timeline } from './Timeline.js';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const T0 = Date.parse('2026-12-06T10:00:00Z');
const ev = (id: number, offsetS: number, data: Record<string, unknown>, kind = 'object'): StoredEvent => ({
  id,
  cameraId: 'cam-door',
  time: new Date(T0 + offsetS * 1000).toISOString(),
  kind,
  source: 'detector',
  data,
});
const face = (o: Record<string, unknown>) => ({ personId: null, name: null, groups: [], distance: null, reason: null, quality: 0.7, sizePx: 90, cropId: 'c_1', ...o });

describe('face events on the playback timeline', () => {
  it('labels a matched face with the name and distance, an unknown one as "Unknown face", and adds nothing without a face', () => {
    const matched = storedEventMarkers(ev(1, 10, { label: 'person', trackId: 3, face: face({ personId: 'p_j', name: 'J. Doe', distance: 0.4213 }) }));
    expect(matched.map((m) => [m.kind, m.label, m.id])).toEqual([
      ['person', 'Person (detector)', '1'],
      ['face', 'Face: J. Doe (distance 0.42)', '1-face'],
    ]);
    expect(matched[1]!.time).toBe(T0 + 10_000);
    expect(matched[1]!.cameraId).toBe('cam-door');
    expect(faceLabel(ev(2, 0, { label: 'person', face: face({ reason: 'no-match', distance: 0.61 }) }))).toBe('Unknown face');
    expect(faceLabel(ev(3, 0, { label: 'person', face: face({ reason: 'too-small' }) }))).toBe('Unknown face (too small)');
    // a forgotten person: the scrub leaves the face without a name
    expect(faceLabel(ev(4, 0, { label: 'person', face: face({ reason: 'forgotten', cropId: null }) }))).toBe('Unknown face (forgotten)');
    expect(storedEventMarkers(ev(5, 0, { label: 'person' }))).toHaveLength(1);
    expect(storedEventMarkers(ev(6, 0, { label: 'person', zone: 'Door', phase: 'enter', face: face({ name: 'J. Doe' }) }, 'zone'))).toHaveLength(1);
  });

  describe('on the Timeline', () => {
    let root: Root;
    let host: HTMLElement;
    beforeEach(() => {
      host = document.createElement('div');
      document.body.appendChild(host);
      root = createRoot(host);
    });
    afterEach(() => {
      act(() => root.unmount());
      host.remove();
    });

    it('lists the face markers (name or "Unknown face") among the markers in view', () => {
      const events = [
        ev(11, 60, { label: 'person', face: face({ personId: 'p_j', name: 'J. Doe', distance: 0.38 }) }),
        ev(12, 300, { label: 'person', face: face({ reason: 'no-match' }) }),
        ev(13, 600, { label: 'person' }),
      ].flatMap(storedEventMarkers);
      act(() =>
        root.render(
          <Timeline
            tracks={[{ cameraId: 'cam-door', name: 'Door', runs: [{ start: T0, end: T0 + 3_600_000, segments: 1 }], gaps: [], events, selected: true }]}
            view={{ start: T0, span: 3_600_000 }}
            onView={() => {}}
            playhead={() => T0}
            timeZone="UTC"
            onSeek={() => {}}
          />,
        ),
      );
      const faces = [...host.querySelectorAll('[data-testid="timeline-markers"] li[data-kind="face"]')].map((li) => li.textContent);
      expect(faces).toEqual([expect.stringContaining('Door: Face: J. Doe (distance 0.38)'), expect.stringContaining('Door: Unknown face')]);
      expect(host.querySelector('li[data-marker="11-face"]')?.getAttribute('data-time')).toBe(String(T0 + 60_000));
    });
  });
});
