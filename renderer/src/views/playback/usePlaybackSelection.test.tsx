// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CameraInfo } from '../../../../main/api/contract.js';
import { MAX_SELECTED, usePlaybackSelection, type PlaybackSelection } from './usePlaybackSelection.js';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const cams = Array.from({ length: 12 }, (_, i) => ({ id: `c${i}`, name: `Cam ${i}` }) as CameraInfo);
vi.mock('../../state/cameras.js', () => ({
  useCameras: () => ({ cameras: cams, byId: (id: string) => cams.find((c) => c.id === id) }),
}));

let root: Root;
let sel: PlaybackSelection;

function Harness({ user, camera }: { user: string; camera?: string }) {
  sel = usePlaybackSelection(user, camera);
  return null;
}
async function mount(user = 'ann', camera?: string) {
  root = createRoot(document.createElement('div'));
  await act(async () => root.render(<Harness user={user} camera={camera} />));
}
async function run(fn: () => void) {
  await act(async () => fn());
}

beforeEach(() => localStorage.clear());
afterEach(async () => {
  await act(async () => root.unmount());
});

describe('usePlaybackSelection', () => {
  it('starts with the first camera, and lists every camera as a track, chosen first', async () => {
    await mount();
    expect(sel.selected).toEqual(['c0']);
    await run(() => sel.toggleCamera('c5'));
    expect(sel.shown.map((c) => c.id)).toEqual(['c0', 'c5']);
    expect(sel.trackIds.slice(0, 3)).toEqual(['c0', 'c5', 'c1']);
    expect(sel.trackIds).toHaveLength(12);
  });

  it('keeps each user’s choice, and the route’s camera wins', async () => {
    await mount('ann');
    await run(() => sel.toggleCamera('c3'));
    await act(async () => root.unmount());
    await mount('ann');
    expect(sel.selected).toEqual(['c0', 'c3']);
    await act(async () => root.unmount());
    await mount('bob');
    expect(sel.selected).toEqual(['c0']);
    await act(async () => root.unmount());
    await mount('ann', 'c7');
    expect(sel.selected).toEqual(['c7']);
  });

  it(`plays at most ${MAX_SELECTED} cameras and drops unknown ids`, async () => {
    localStorage.setItem('gatehouse.playback.ann', JSON.stringify(['gone', 'c1', 7]));
    await mount();
    expect(sel.selected).toEqual(['gone', 'c1']);
    expect(sel.shown.map((c) => c.id)).toEqual(['c1']);
    for (const c of cams) if (!sel.selected.includes(c.id)) await run(() => sel.toggleCamera(c.id));
    expect(sel.selected).toHaveLength(MAX_SELECTED);
    await run(() => sel.toggleCamera('c1'));
    expect(sel.selected).not.toContain('c1');
  });

  it('keeps the picked tile within the tiles', async () => {
    await mount();
    await run(() => sel.toggleCamera('c1'));
    await run(() => sel.setFocus(1));
    expect(sel.focusCam?.id).toBe('c1');
    await run(() => sel.toggleCamera('c1'));
    expect(sel.focusIdx).toBe(0);
    expect(sel.focusCam?.id).toBe('c0');
  });
});
