import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigStore } from '../config/store.js';
import { addMask, listMasks, removeMask, replaceMasks, updateMask } from './store.js';

let dir: string;
let store: ConfigStore;
const sq = (x: number): [number, number][] => [[x, 0.1], [x + 0.2, 0.1], [x + 0.2, 0.3], [x, 0.3]];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'masks-'));
  store = new ConfigStore(path.join(dir, 'config.json'));
  await store.load();
  await store.update((c) => {
    c.cameras.push({ id: 'gate', name: 'Gate', url: 'rtsp://127.0.0.1/x', subUrl: null, username: null, password: null, enabled: true, demo: false, retentionDays: null, createdAt: new Date().toISOString() });
  });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('camera masks in the config', () => {
  it('add, list, update, replace and remove; kinds kept apart; written to config.json', async () => {
    const a = await addMask(store, { cameraId: 'Gate', kind: 'privacy', name: 'window', polygon: sq(0.1) });
    expect(a).toMatchObject({ cameraId: 'gate', kind: 'privacy', name: 'window' });
    expect(a.id).toMatch(/^m_[0-9a-f]{10}$/);
    await addMask(store, { cameraId: 'gate', kind: 'motion', polygon: sq(0.5) });
    expect(listMasks(store.data, { kind: 'privacy' }).map((m) => m.id)).toEqual([a.id]);
    const u = await updateMask(store, a.id, { polygon: sq(0.2) });
    expect(u.polygon).toEqual(sq(0.2));
    expect(u.name).toBe('window');
    const r = await replaceMasks(store, 'gate', 'privacy', [{ id: a.id, polygon: sq(0.3) }, { polygon: sq(0.6), name: 'door' }]);
    expect(r[0]!.id).toBe(a.id);
    expect(r).toHaveLength(2);
    expect(listMasks(store.data, { cameraId: 'gate' })).toHaveLength(3);
    // what is on disk parses and holds the masks
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { cameras: { masks: unknown[] }[] };
    expect(onDisk.cameras[0]!.masks).toHaveLength(3);
    await removeMask(store, a.id);
    expect(listMasks(store.data).map((m) => m.kind).sort()).toEqual(['motion', 'privacy']);
    await replaceMasks(store, 'gate', 'privacy', []);
    expect(listMasks(store.data, { kind: 'privacy' })).toEqual([]);
  });

  it('refuses an unknown camera, an unknown mask and a polygon that crosses itself, naming the field', async () => {
    await expect(addMask(store, { cameraId: 'nope', kind: 'privacy', polygon: sq(0.1) })).rejects.toThrow(/no camera "nope"/);
    await expect(removeMask(store, 'm_ffffffff')).rejects.toThrow(/no mask m_ffffffff/);
    await expect(addMask(store, { cameraId: 'gate', kind: 'privacy', polygon: [[0.1, 0.1], [0.4, 0.4], [0.4, 0.1], [0.1, 0.4]] })).rejects.toThrow(/polygon\.3: the polygon crosses itself/);
    await expect(replaceMasks(store, 'gate', 'object', [{ polygon: sq(0.1) }, { polygon: [[0.1, 0.1], [0.2, 0.2]] }])).rejects.toThrow(/masks\.1\.polygon: a polygon needs at least 3 points/);
    expect(listMasks(store.data)).toEqual([]);
  });
});
