// @vitest-environment happy-dom
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CameraInfo } from '../../../../main/api/contract.js';
import type { ExportJob } from '../../../../main/api/export.js';
import type { CameraMask } from '../../../../main/api/masks.js';
import { FakeServer } from '../../test-support/fake-server.js';
import { testSettings, viewHarness } from '../../test-support/view-harness.js';
import { exportRange } from '../playback/playback-export.js';
import { ExportDialog } from './ExportDialog.js';
import { MasksView } from './MasksView.js';

const cam = (id: string, name: string): CameraInfo => ({
  id,
  name,
  url: 'rtsp://10.0.0.1/x',
  subUrl: null,
  username: null,
  hasPassword: false,
  enabled: true,
  demo: false,
  retentionDays: null,
  status: { state: 'recording', message: '', since: new Date().toISOString(), codec: 'h264', width: 1600, height: 900, fps: 10, audio: null, lastSegmentAt: null },
});
let masks: CameraMask[];

beforeEach(() => {
  masks = [];
});
function makeServer() {
  return new FakeServer({
    'cameras.list': () => [cam('gate', 'Gate'), cam('yard', 'Yard')],
    'settings.get': () => testSettings,
    'cases.list': () => [{ id: 4, name: 'Gate 2', reference: 'PD-7', notes: null, createdAt: '', createdBy: 'sue', updatedAt: '', closedAt: null, counts: { export: 1, bookmark: 0, note: 0 } }],
    'export.preview': (p) => ({ from: '', to: '', bundleBytes: 12_000_000, neededBytes: 12_000_000, freeBytes: 9e9, fits: true, cameras: [], notes: [`${(p as { cameraIds: string[] }).cameraIds.length} camera(s)`] }),
    'export.create': (p) => ({ id: 'x_abcdef', ...(p as object) }) as unknown as ExportJob,
    'masks.list': () => masks,
    'masks.replace': (p) => {
      const q = p as { cameraId: string; masks: { polygon: [number, number][] }[] };
      masks = q.masks.map((m, i) => ({ id: `m_0000000${i}`, kind: 'privacy', cameraId: q.cameraId, polygon: m.polygon }));
      return masks;
    },
  });
}
const h = viewHarness({ server: makeServer, providers: ['settings', 'cameras'], keyWaitMs: 5 });
const { render, key, calls } = h;

describe('what Shift+E exports in playback', () => {
  const ev = { time: 100_000, kind: 'motion', label: 'Motion', cameraId: 'yard' };
  const base = { at: 100_500, events: [ev], shown: ['gate', 'yard'], preMs: 10_000, postMs: 20_000 };
  it('the marked range (either order), for the cameras on screen', () => {
    expect(exportRange({ ...base, marks: { in: 50_000, out: 80_000 } })).toMatchObject({ from: 50_000, to: 80_000, cameraIds: ['gate', 'yard'], what: 'marks' });
    expect(exportRange({ ...base, marks: { in: 80_000, out: 50_000 } })).toMatchObject({ from: 50_000, to: 80_000 });
    expect(exportRange({ ...base, marks: { in: 60_000, out: null } })).toMatchObject({ from: 60_000, to: 100_500 });
  });
  it('else the event under the playhead with pre/post-roll (its camera), else the moment', () => {
    expect(exportRange({ ...base, marks: { in: null, out: null } })).toMatchObject({ from: 90_000, to: 120_000, cameraIds: ['yard'], what: 'event' });
    expect(exportRange({ ...base, at: 200_000, marks: { in: null, out: null } })).toMatchObject({ from: 190_000, to: 220_000, cameraIds: ['gate', 'yard'], what: 'moment' });
  });
});

describe('export dialog', () => {
  it('needs a reason, then queues the export for the chosen cameras and case', async () => {
    let closed = false;
    await render(<ExportDialog selection={{ cameraIds: ['gate'], from: Date.UTC(2026, 10, 26, 8), to: Date.UTC(2026, 10, 26, 8, 5), source: { kind: 'alarm', id: '12' }, caseName: 'Alarm #12' }} onClose={() => (closed = true)} />);
    expect(h.host.querySelector('[data-testid="export-preview"]')!.textContent).toMatch(/About 12(\.0)? MB/);
    const submit = h.host.querySelector<HTMLButtonElement>('[data-testid="export-submit"]')!;
    await act(async () => submit.click());
    expect(h.host.querySelector('[data-testid="export-error"]')!.textContent).toMatch(/give a reason/);
    expect(calls('export.create')).toEqual([]);
    const reason = h.host.querySelector<HTMLTextAreaElement>('[data-testid="export-reason"]')!;
    await h.type(reason, 'police request PD-9');
    await act(async () => {
      h.host.querySelector<HTMLInputElement>('[data-testid="export-cam-yard"]')!.click();
      h.host.querySelector<HTMLInputElement>('[data-testid="export-zip"]')!.click();
      await new Promise((r) => setTimeout(r, 20));
    });
    await act(async () => {
      submit.click();
      await new Promise((r) => setTimeout(r, 30));
    });
    expect(calls('export.create')).toEqual([
      {
        cameraIds: ['gate', 'yard'],
        from: '2026-11-26T08:00:00.000Z',
        to: '2026-11-26T08:05:00.000Z',
        reason: 'police request PD-9',
        newCase: { name: 'Alarm #12' },
        zip: true,
        reencode: false,
        source: { kind: 'alarm', id: '12' },
      },
    ]);
    expect(closed).toBe(true);
  });
});

describe('privacy masks with the keyboard only', () => {
  it('N draws a mask, arrows move its point, A adds one, Ctrl+Z undoes, Ctrl+S saves normalised polygons', async () => {
    await render(<MasksView cameraId="yard" />);
    await key('n');
    const coords = () => h.host.querySelector('[data-testid="polygon-editor-coords"]')!.textContent;
    expect(coords()).toBe('x 0.500 · y 0.420');
    await key('ArrowUp', { shiftKey: true });
    await key('ArrowLeft');
    expect(coords()).toBe('x 0.490 · y 0.320');
    await key('a');
    await key('ArrowRight', { shiftKey: true });
    await key('z', { ctrlKey: true });
    expect(coords()).toBe('x 0.530 · y 0.450');
    await key('s', { ctrlKey: true });
    await act(async () => new Promise((r) => setTimeout(r, 30)));
    const saved = calls('masks.replace');
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ cameraId: 'yard', kind: 'privacy' });
    expect((saved[0]!.masks as { polygon: number[][] }[])[0]!.polygon).toEqual([[0.42, 0.58], [0.49, 0.32], [0.53, 0.45], [0.58, 0.58]]);
    expect(h.host.querySelector('[data-testid="masks-view"]')!.getAttribute('data-dirty')).toBe('false');
  });
});
