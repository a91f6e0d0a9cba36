import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigStore } from '../config/store.js';
import { addZone, findZones, listZones, removeZone, replaceZones, updateZone } from './store.js';

let dir: string;
let store: ConfigStore;
const sq = (x: number): [number, number][] => [[x, 0.1], [x + 0.2, 0.1], [x + 0.2, 0.3], [x, 0.3]];
const cam = (id: string, name: string) => ({ id, name, url: `rtsp://127.0.0.1/${id}`, subUrl: null, username: null, password: null, enabled: true, demo: false, retentionDays: null, createdAt: new Date().toISOString() });

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zones-'));
  store = new ConfigStore(path.join(dir, 'config.json'));
  await store.load();
  await store.update((c) => {
    c.cameras.push(cam('gate', 'Gate'), cam('yard', 'Yard'));
  });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('detection zones in the config', () => {
  it('add with defaults, list, update, find by name, replace and remove; written to config.json', async () => {
    const a = await addZone(store, 'Gate', { name: 'Driveway', polygon: sq(0.1) });
    expect(a).toMatchObject({ cameraId: 'gate', name: 'Driveway', labels: [], minDwellSeconds: 0, inertiaFrames: 3 });
    expect(a.id).toMatch(/^z_[0-9a-f]{10}$/);
    const b = await addZone(store, 'yard', { name: 'Driveway', polygon: sq(0.5), labels: ['person'], minDwellSeconds: 30, inertiaFrames: 2 });
    expect(listZones(store.data, { cameraId: 'gate' }).map((z) => z.id)).toEqual([a.id]);
    expect(findZones(store.data, 'driveway').map((z) => z.cameraId)).toEqual(['gate', 'yard']);
    const u = await updateZone(store, a.id, { minDwellSeconds: 12.5, name: 'Drive' });
    expect(u).toMatchObject({ name: 'Drive', minDwellSeconds: 12.5, polygon: sq(0.1) });
    // a name on two cameras needs the camera (or the id)
    await addZone(store, 'gate', { name: 'Door', polygon: sq(0.6) });
    await addZone(store, 'yard', { name: 'Door', polygon: sq(0.6) });
    await expect(removeZone(store, 'door')).rejects.toThrow(/2 zones are named "door".*give the zone's id, or the camera/);
    expect((await removeZone(store, 'door', 'yard')).cameraId).toBe('yard');
    expect((await removeZone(store, b.id)).name).toBe('Driveway');
    const r = await replaceZones(store, 'gate', [{ id: a.id, name: 'Drive', polygon: sq(0.2) }, { name: 'New', polygon: sq(0.4) }]);
    expect(r[0]!.id).toBe(a.id);
    expect(r.map((z) => z.name)).toEqual(['Drive', 'New']);
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { cameras: { zones?: unknown[] }[] };
    expect(onDisk.cameras[0]!.zones).toHaveLength(2);
    expect(onDisk.cameras[1]!.zones).toBeUndefined();
    await replaceZones(store, 'gate', []);
    expect(listZones(store.data)).toEqual([]);
  });

  it('refuses bad zones with the field and what to do', async () => {
    await expect(addZone(store, 'gate', { name: 'Two', polygon: [[0.1, 0.1], [0.2, 0.2]] })).rejects.toThrow(/^polygon: a polygon needs at least 3 points/);
    await expect(addZone(store, 'gate', { name: 'Bow', polygon: [[0.1, 0.1], [0.5, 0.5], [0.5, 0.1], [0.1, 0.5]] })).rejects.toThrow(/crosses itself/);
    await expect(addZone(store, 'gate', { name: 'Out', polygon: [[0.1, 0.1], [1.5, 0.1], [0.5, 0.5]] })).rejects.toThrow(/polygon\.1\.0: point 2: x must be from 0 to 1/);
    await expect(addZone(store, 'gate', { name: ' ', polygon: sq(0.1) })).rejects.toThrow(/^name: a zone needs a name/);
    await expect(addZone(store, 'gate', { name: 'Slow', polygon: sq(0.1), inertiaFrames: 0 })).rejects.toThrow(/^inertiaFrames: inertia is at least 1 frame/);
    await expect(addZone(store, 'gate', { name: 'Long', polygon: sq(0.1), minDwellSeconds: -1 })).rejects.toThrow(/^minDwellSeconds: minimum dwell cannot be negative/);
    await expect(addZone(store, 'nope', { name: 'X', polygon: sq(0.1) })).rejects.toThrow(/there is no camera "nope"/);
    await addZone(store, 'gate', { name: 'Same', polygon: sq(0.1) });
    await expect(addZone(store, 'gate', { name: 'same', polygon: sq(0.3) })).rejects.toThrow(/already has a zone named "same"/);
    await expect(replaceZones(store, 'gate', [{ name: 'A', polygon: sq(0.1) }, { name: 'a', polygon: sq(0.3) }])).rejects.toThrow(/^zones\.1\.name: Gate already has a zone named "a"/);
    await expect(replaceZones(store, 'gate', [{ name: 'A', polygon: sq(0.1) }, { name: 'B', polygon: [[0, 0], [1, 1]] }])).rejects.toThrow(/^zones\.1\.polygon: a polygon needs at least 3 points/);
    expect(listZones(store.data).map((z) => z.name)).toEqual(['Same']);
  });
});
