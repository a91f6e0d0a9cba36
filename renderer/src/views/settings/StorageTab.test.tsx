// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StorageStatus } from '../../../../main/api/contract.js';
import { StorageTab } from './StorageTab.js';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let status: Partial<StorageStatus> = {};
vi.mock('../../api/context.js', () => ({
  useQuery: () => ({ data: status, error: null, reload: () => {} }),
}));
vi.mock('../../state/settings.js', () => ({ useSettings: () => ({ timeZone: 'UTC' }) }));
vi.mock('../../keyboard/useShortcuts.js', () => ({ useShortcuts: () => {} }));

const base: Partial<StorageStatus> = { usedBytes: 5e9, quotaBytes: 100e9, volumeTotalBytes: 200e9, volumeFreeBytes: 150e9, lowSpace: false, cameras: [] };

let root: Root | null = null;
async function render(): Promise<HTMLElement> {
  const el = document.createElement('div');
  root = createRoot(el);
  await act(async () => root!.render(<StorageTab />));
  return el;
}
afterEach(async () => {
  await act(async () => root?.unmount());
  root = null;
});

describe('StorageTab', () => {
  it('says when the index is being rebuilt from the media files, with its progress', async () => {
    status = { ...base, rebuilding: { since: '2026-12-06T10:00:00Z', reason: 'index.sqlite was damaged', cameras: 4, camerasDone: 1, segments: 1234 } };
    const el = await render();
    const note = el.querySelector('[data-testid="storage-rebuilding"]');
    expect(note?.textContent).toMatch(/being rebuilt from the media files \(index\.sqlite was damaged/);
    expect(note?.textContent).toMatch(/1 of 4 cameras done, 1234 segments found so far/);
  });

  it('shows no rebuild notice otherwise', async () => {
    status = { ...base };
    const el = await render();
    expect(el.querySelector('[data-testid="storage-rebuilding"]')).toBeNull();
    expect(el.querySelector('[data-testid="settings-storage"]')).not.toBeNull();
  });
});
