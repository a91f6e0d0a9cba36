/**
 * The rules, doors and sensors commands, without and with a running server:
 * `rules add` (the common case and --file), `rules list`, `rules test` (the
 * dry run over the stored events), `rules remove`; bad input exits 2 with
 * the field and what to do; a running server uses a change within a second.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DryRunResult, Rule } from '../../main/api/rules.js';
import { openIndex } from '../../main/engine/store/db.js';
import { startEngine, tempDir, waitFor, type TestEngine } from './alarms-support.js';
import { cliArgs } from './recording-harness.js';

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
let dir: string;
let e: TestEngine | null = null;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, cliArgs(...args, '--data', dir), { cwd: ROOT });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const x = err as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

beforeAll(async () => {
  dir = tempDir('rules-cli');
  expect((await cli(['cameras', 'add', '--name', 'Yard', '--url', 'rtsp://127.0.0.1:9/none'])).code).toBe(0);
  const file = path.join(dir, 'config.json');
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  cfg.cameras[0].zones = [
    {
      id: 'z_0a0b0c0d',
      name: 'Gate',
      polygon: [
        [0.1, 0.1],
        [0.5, 0.1],
        [0.5, 0.9],
      ],
      labels: [],
      minDwellSeconds: 2,
      inertiaFrames: 3,
    },
  ];
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
}, 60_000);

afterAll(async () => {
  await e?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('gatehouse rules, doors, sensors', () => {
  it('adds, lists, tests and removes rules without a server; refuses bad rules with the field', async () => {
    const add = await cli([
      'rules',
      'add',
      '--name',
      'Person at the gate',
      '--when',
      'object',
      '--camera',
      'Yard',
      '--zone',
      'Gate',
      '--label',
      'person',
      '--dwell',
      '5',
      '--then',
      'alarm',
      '--priority',
      '2',
      '--modes',
      'Night,Away',
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Added rule person-at-the-gate/);
    const rules = JSON.parse((await cli(['rules', 'list', '--json'])).stdout) as Rule[];
    expect(rules[0]).toMatchObject({
      id: 'person-at-the-gate',
      trigger: { kind: 'object', phase: 'dwell', dwellSeconds: 5 },
      conditions: { cameraIds: ['yard'], zones: ['z_0a0b0c0d'], labels: ['person'], modes: ['night', 'away'] },
      actions: [{ type: 'alarm', priority: 2 }],
    });
    expect(rules.at(-1)!.id).toBe('default-catch-all');
    const list = await cli(['rules', 'list']);
    expect(list.stdout).toMatch(
      /person-at-the-gate\s+yes\s+Person at the gate\s+person dwell 5s\s+yard zone Gate in night,away\s+alarm P2/,
    );

    const noZone = await cli(['rules', 'add', '--name', 'Roof', '--camera', 'Yard', '--zone', 'Roof']);
    expect(noZone.code).toBe(2);
    expect(noZone.stderr).toMatch(/conditions\.zones\[0\]: no zone "Roof" on Yard \(zones there: Gate\)/);
    const f = path.join(dir, 'rule.json');
    fs.writeFileSync(f, JSON.stringify({ name: 'Publish', trigger: { kind: 'smoke' }, actions: [{ type: 'mqtt' }] }));
    const bad = await cli(['rules', 'add', '--file', f]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/trigger\.kind: unknown trigger "smoke"; use one of object, motion, sensor/);
    fs.writeFileSync(
      f,
      JSON.stringify({
        id: 'tamper-mqtt',
        name: 'Tamper to MQTT',
        trigger: { kind: 'onvif', events: ['tamper'] },
        actions: [
          { type: 'alarm', priority: 1 },
          { type: 'mqtt', topic: 'site/tamper' },
        ],
      }),
    );
    expect((await cli(['rules', 'add', '--file', f])).code).toBe(0);
    expect((await cli(['rules', 'add', '--file', f])).code).toBe(1); // the id exists

    // stored zone events of a person who stayed 6 s and one who stayed 3 s, in Night
    const db = openIndex(path.join(dir, 'index.sqlite'));
    const t0 = Date.now() - 600_000;
    db.prepare(
      "INSERT INTO arming_changes (time_ms, mode, previous, actor, via, peer) VALUES (?, 'night', 'day', 'test', 'console', NULL)",
    ).run(t0 - 1000);
    const ins = db.prepare("INSERT INTO events (camera_id, time_ms, kind, source, data) VALUES ('yard', ?, ?, 'detector', ?)");
    for (const [track, stay] of [
      [1, 6],
      [2, 3],
    ] as const) {
      const obj = Number(ins.run(t0 + track * 10_000, 'object', JSON.stringify({ label: 'person', trackId: track })).lastInsertRowid);
      const z = (phase: string, s: number) => ({
        cameraId: 'yard',
        zoneId: 'z_0a0b0c0d',
        zone: 'Gate',
        label: 'person',
        trackId: track,
        objectEventId: obj,
        phase,
        dwellSeconds: s,
        count: 1,
        time: new Date(t0 + track * 10_000 + s * 1000).toISOString(),
      });
      ins.run(t0 + track * 10_000, 'zone', JSON.stringify(z('enter', 0)));
      ins.run(t0 + track * 10_000 + 2000, 'zone', JSON.stringify(z('dwell', 2)));
      ins.run(t0 + track * 10_000 + stay * 1000, 'zone', JSON.stringify(z('leave', stay)));
    }
    db.close();
    const test = await cli(['rules', 'test', 'person-at-the-gate', '--from', '-1h']);
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/1 alarm\(s\) it would have raised/);
    expect(test.stdout).toMatch(/person dwelt 5 s in Gate \(track 1\)\s+raised\s+P2/);
    const json = JSON.parse((await cli(['rules', 'test', 'person-at-the-gate', '--json'])).stdout) as DryRunResult;
    expect(json).toMatchObject({ alarms: 1, matched: 1 });
    fs.writeFileSync(
      f,
      JSON.stringify({
        name: 'draft',
        trigger: { kind: 'object' },
        conditions: { zones: ['Gate'], modes: ['Day'] },
        actions: [{ type: 'alarm' }],
      }),
    );
    expect(JSON.parse((await cli(['rules', 'test', '--file', f, '--json'])).stdout)).toMatchObject({ matched: 0 });
    expect((await cli(['rules', 'test', 'nope'])).code).toBe(3);
  }, 120_000);

  it('maps doors and sensors to cameras', async () => {
    expect((await cli(['doors', 'set', 'front', '--camera', 'Yard', '--name', 'Front door', '--zone', 'lobby'])).code).toBe(0);
    expect((await cli(['sensors', 'set', 'pir-1', '--camera', 'yard'])).code).toBe(0);
    expect((await cli(['doors', 'list'])).stdout).toMatch(/front\s+Front door\s+lobby\s+Yard/);
    expect(JSON.parse((await cli(['sensors', 'list', '--json'])).stdout)).toEqual([{ id: 'pir-1', cameraIds: ['yard'] }]);
    const bad = await cli(['sensors', 'set', 'pir-2', '--camera', 'Dock']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/no camera "Dock" \(cameras: Yard\)/);
  }, 60_000);

  it('a running server uses a rule added or removed with the CLI within a second', async () => {
    e = await startEngine(dir, { http: false });
    const seen: string[][] = [];
    e.engine.bus.on('rules.changed', (x) => seen.push(x.rules.map((r) => r.id)));
    const add = await cli([
      'rules',
      'add',
      '--name',
      'Vehicle on the road',
      '--when',
      'object',
      '--phase',
      'seen',
      '--camera',
      'Yard',
      '--label',
      'vehicle',
      '--then',
      'log',
    ]);
    expect(add.stdout).toMatch(/running server uses it within a second/);
    await waitFor('the server has the rule', () => e!.engine.rules!.rules().some((r) => r.id === 'vehicle-on-the-road'), 3000, 50);
    expect(seen.at(-1)).toContain('vehicle-on-the-road');
    expect((await cli(['rules', 'remove', 'vehicle-on-the-road'])).code).toBe(0);
    await waitFor('gone', () => !e!.engine.rules!.rules().some((r) => r.id === 'vehicle-on-the-road'), 3000, 50);
    // every change made with the CLI is in the audit trail
    const actions = e.engine
      .alarms!.audit.list({}, null, 50)
      .items.map((r) => `${r.actor.startsWith('os:') ? 'cli' : r.actor} ${r.action}`);
    expect(actions).toEqual(
      expect.arrayContaining(['cli rules.add', 'cli rules.remove', 'cli alarmSetup.setDoor', 'cli alarmSetup.setSensor']),
    );
  }, 60_000);
});
