/**
 * `gatehouse detection`, `gatehouse zones` and `gatehouse events` as a user runs
 * them (the CLI through tsx, in a child process): bad input gets a clear
 * message and exit 2, changes land in config.json and in the audit trail
 * (actor os:<login>), a running engine picks them up within a second, and
 * `detection status` shows the running engine's counters per camera.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraZone, ReviewItem } from '../../main/api/detection.js';
import type { Engine } from '../../main/engine/engine.js';
import { repoRoot } from '../fixtures/media.js';
import { cli, cliArgs, prepareDataDir, sleep, tempDir, waitFor } from './recording-harness.js';
import { Engine as EngineClass } from '../../main/engine/engine.js';

const run = promisify(execFile);
let dir: string;
let data: string;
let engine: Engine | null = null;

/** Exit code and output of a CLI run that may fail. */
async function cliFail(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, cliArgs(...args), { cwd: repoRoot });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

beforeAll(async () => {
  dir = tempDir('detect-cli');
  data = path.join(dir, 'data');
  await prepareDataDir(data, {}, [{ name: 'Gate', url: 'rtsp://127.0.0.1:9/none' }]);
}, 60_000);

afterAll(async () => {
  await engine?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('detection, zones and events from the command line', () => {
  it('refuses bad input with the flag and what to do', async () => {
    const cases: [string[], RegExp][] = [
      [['detection', 'set', 'Gate', '--fps', '9'], /--fps: frame rate is at most 5 fps/],
      [['detection', 'set', 'Gate', '--fps', 'two'], /--fps: "two" is not a number/],
      [['detection', 'set', 'Gate', '--labels', 'person,ufo'], /--labels: "ufo" is not a label; use person, vehicle/],
      [['detection', 'set', 'Gate', '--min-score', '0.1'], /--min-score: minimum score is at least 0.3/],
      [['detection', 'set', 'Gate', '--stream', 'third'], /--stream: use sub or main/],
      [['detection', 'set', 'Gate', '--on', '--off'], /give one of them/],
      [['detection', 'set', 'Gate'], /nothing to change/],
      [['zones', 'add', 'Gate', '--name', 'Two', '--polygon', '0.1,0.1 0.2,0.2'], /--polygon: a polygon needs at least 3 points/],
      [['zones', 'add', 'Gate', '--name', 'Bow', '--polygon', '0.1,0.1 0.5,0.5 0.5,0.1 0.1,0.5'], /crosses itself/],
      [['zones', 'add', 'Gate', '--name', 'Out', '--polygon', '0.1,0.1 1.2,0.1 0.5,0.5'], /point 2: x must be from 0 to 1/],
      [['zones', 'add', 'Gate', '--name', 'Slow', '--polygon', '0.1,0.1 0.5,0.1 0.5,0.5', '--inertia', '0'], /--inertia: inertia is at least 1 frame/],
      [['zones', 'add', 'Gate', '--polygon', '0.1,0.1 0.5,0.1 0.5,0.5'], /--name is required/],
      [['events', 'list', '--kind', 'some'], /--kind: "some" is not one of all, alerts, detections/],
    ];
    for (const [args, re] of cases) {
      const r = await cliFail(...args, '--data', data);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out, args.join(' ')).toMatch(re);
    }
    expect((await cliFail('zones', 'add', 'Nope', '--name', 'X', '--polygon', '0.1,0.1 0.5,0.1 0.5,0.5', '--data', data)).code).toBe(3);
    expect((await cliFail('zones', 'remove', 'nothing', '--data', data)).code).toBe(3);
  });

  it('sets detection and adds, lists and removes zones offline; audited as the CLI user', async () => {
    expect(await cli('detection', 'set', 'Gate', '--on', '--labels', 'person,vehicle', '--fps', '3', '--min-score', '0.6', '--min-size', '40', '--data', data)).toMatch(
      /Detection on "Gate": on, person, vehicle, 3 fps, minimum score 0.6, minimum size 40 px, sub stream/,
    );
    const cfg = JSON.parse(fs.readFileSync(path.join(data, 'config.json'), 'utf8')) as { cameras: { detection?: unknown }[] };
    expect(cfg.cameras[0]!.detection).toEqual({ enabled: true, labels: ['person', 'vehicle'], fps: 3, minScore: 0.6, minSize: 40 });
    const z = JSON.parse(await cli('zones', 'add', 'Gate', '--name', 'Door', '--polygon', '0.1,0.5 0.6,0.5 0.6,0.9 0.1,0.9', '--labels', 'person', '--dwell', '20', '--inertia', '2', '--json', '--data', data)) as CameraZone;
    expect(z).toMatchObject({ cameraId: 'gate', name: 'Door', labels: ['person'], minDwellSeconds: 20, inertiaFrames: 2 });
    expect(await cli('zones', 'list', '--data', data)).toMatch(/Door\s+person\s+20 s\s+2\s+0\.1,0\.5 0\.6,0\.5/);
    const status = JSON.parse(await cli('detection', 'status', '--json', '--data', data)) as { running: boolean; cameras: { settings: { fps: number } }[] };
    expect(status.running).toBe(false);
    expect(status.cameras[0]!.settings.fps).toBe(3);
    expect(await cli('zones', 'remove', 'door', '--data', data)).toMatch(/Removed zone z_\w+ "Door" of gate/);
    expect(JSON.parse(await cli('zones', 'list', 'Gate', '--json', '--data', data))).toEqual([]);
    const audit = JSON.parse(await cli('audit', 'list', '--json', '--data', data)) as { items?: { actor: string; action: string }[] } | { actor: string; action: string }[];
    const rows = Array.isArray(audit) ? audit : (audit.items ?? []);
    expect(rows.filter((r) => r.actor.startsWith('os:')).map((r) => r.action).sort()).toEqual(['detection.update', 'zones.add', 'zones.remove']);
  });

  it('a running engine picks a CLI change up within a second, and detection status shows its counters', async () => {
    engine = new EngineClass({ dataDir: data, adminPassword: 'adminadmin', headless: true });
    await engine.start();
    await cli('zones', 'add', 'Gate', '--name', 'Yard', '--polygon', '0.1,0.1 0.9,0.1 0.9,0.9', '--data', data);
    await waitFor('the engine to see the zone', () => engine!.detection!.status('gate').cameras[0]!.zones === 1, 5000, 100);
    await cli('detection', 'set', 'gate', '--off', '--data', data);
    await waitFor('the engine to turn detection off', () => engine!.detection!.status('gate').cameras[0]!.enabled === false, 5000, 100);
    await cli('detection', 'set', 'gate', '--on', '--data', data);
    await sleep(2500); // the status file is written every 2 s
    const st = JSON.parse(await cli('detection', 'status', 'Gate', '--json', '--data', data)) as {
      running: boolean;
      cameras: { cameraId: string; enabled: boolean; state: string; offered: number; processed: number; skipped: number; zones: number }[];
    };
    expect(st.running).toBe(true);
    expect(st.cameras).toHaveLength(1);
    expect(st.cameras[0]).toMatchObject({ cameraId: 'gate', enabled: true, zones: 1 });
    for (const k of ['offered', 'processed', 'skipped'] as const) expect(typeof st.cameras[0]![k]).toBe('number');
    const text = await cli('detection', 'status', '--data', data);
    expect(text).toMatch(/OFFERED\s+PROCESSED\s+SKIPPED/);
    // events list reads the index while the engine runs (nothing detected on this camera: it does not exist)
    const list = JSON.parse(await cli('events', 'list', '--camera', 'Gate', '--zone', 'Yard', '--from', '-1h', '--json', '--data', data)) as ReviewItem[];
    expect(list).toEqual([]);
  });
});
