import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION } from '../../main/engine/config/schema.js';
import { ConfigError, ConfigStore, jsonErrorOffset, parseConfigText } from '../../main/engine/config/store.js';
import { repoRoot } from '../fixtures/media.js';
import { expectLogErrors } from '../support/log-guard.js';

// The config store's loading, validation, cross-process locking (real worker processes) and file watch.
const here = path.join(repoRoot, 'main', 'engine', 'config');
let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-config-'));
  file = path.join(dir, 'config.json');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const camera = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: `Cam ${id}`, url: 'rtsp://127.0.0.1/x', ...extra });

async function loadError(text: string): Promise<ConfigError> {
  fs.writeFileSync(file, text);
  const err = await new ConfigStore(file).load().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('ConfigStore load', () => {
  it('creates a valid empty file when none exists', async () => {
    const store = new ConfigStore(file);
    const cfg = await store.load();
    expect(cfg.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ schemaVersion: CURRENT_SCHEMA_VERSION, cameras: [], users: [] });
  });

  it('names the file and the line of broken JSON', async () => {
    const err = await loadError('{\n  "schemaVersion": 2,\n  "cameras": [,]\n}\n');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/line 3/);
    expect(err.fix).toMatch(/correct the JSON/);
  });

  it('names the field holding an unknown key', async () => {
    const err = await loadError(JSON.stringify({ schemaVersion: CURRENT_SCHEMA_VERSION, cameras: [camera('gate', { colour: 'red' })] }));
    expect(err.field).toBe('cameras[0]');
    expect(err.message).toContain('"colour"');
    expect(err.message).toContain(file);
    expect(err.fix).toMatch(/remove the key/);
  });

  it('names an unknown top-level key', async () => {
    const err = await loadError(JSON.stringify({ schemaVersion: CURRENT_SCHEMA_VERSION, camras: [] }));
    expect(err.message).toContain('"camras"');
  });

  it('names a field with the wrong type and says which type it needs', async () => {
    const err = await loadError(JSON.stringify({ schemaVersion: CURRENT_SCHEMA_VERSION, cameras: [camera('gate', { enabled: 'yes' })] }));
    expect(err.field).toBe('cameras[0].enabled');
    expect(err.fix).toMatch(/boolean/);
  });

  it('refuses a file written by a newer version', async () => {
    const err = await loadError(JSON.stringify({ schemaVersion: CURRENT_SCHEMA_VERSION + 1 }));
    expect(err.field).toBe('schemaVersion');
    expect(err.message).toMatch(/newer Gatehouse/);
  });

  it('refuses a file that is not an object', async () => {
    const err = await loadError('[1, 2]');
    expect(err.message).toMatch(/JSON object/);
  });

  it('migrates a file without schemaVersion and keeps a backup of the original', async () => {
    const original = JSON.stringify({ cameras: [camera('gate')] }, null, 2);
    fs.writeFileSync(file, original);
    const store = new ConfigStore(file);
    const cfg = await store.load();
    expect(cfg.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(cfg.cameras[0]!.id).toBe('gate');
    const backup = `${file}.v0.bak`;
    expect(fs.readFileSync(backup, 'utf8')).toBe(original);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
  });

  it('never overwrites a file it cannot parse', async () => {
    const garbage = '{ "schemaVersion": 1, "cameras": [ oops';
    fs.writeFileSync(file, garbage);
    const store = new ConfigStore(file);
    await expect(store.load()).rejects.toBeInstanceOf(ConfigError);
    await expect(store.update((c) => c.cameras.push(camera('new') as never))).rejects.toBeInstanceOf(ConfigError);
    expect(fs.readFileSync(file, 'utf8')).toBe(garbage);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('finds where JSON breaks when the parser does not say', () => {
    expect(jsonErrorOffset('{"a": [1, 2]}')).toBe(-1);
    expect(jsonErrorOffset('{"a": [,]}')).toBe(7);
    expect(jsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(jsonErrorOffset(String.raw`{"a": "x\n\"y"}`)).toBe(-1);
    expect(jsonErrorOffset('{"a": "raw\nnewline"}')).toBe(10);
    expect(jsonErrorOffset('{"a": tru}')).toBe(6);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
    expect(jsonErrorOffset('{"a": "unterminated')).toBe(19);
  });

  it('parseConfigText fills defaults of optional fields', () => {
    const { config, migratedFrom } = parseConfigText(file, JSON.stringify({ schemaVersion: CURRENT_SCHEMA_VERSION, cameras: [camera('gate')] }));
    expect(migratedFrom).toBeNull();
    expect(config.cameras[0]).toMatchObject({ enabled: true, demo: false, subUrl: null, password: null });
    expect(config.layouts).toEqual([]);
  });
});

describe('ConfigStore update', () => {
  it('validates the result and writes nothing when it is invalid', async () => {
    const store = new ConfigStore(file);
    await store.load();
    const before = fs.readFileSync(file, 'utf8');
    await expect(store.update((c) => c.cameras.push({ ...camera('Bad Id'), createdAt: 'x' } as never))).rejects.toThrow(/cameras\[0\]\.id/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('re-reads the file, so changes by another writer are kept', async () => {
    const a = new ConfigStore(file);
    const b = new ConfigStore(file);
    await a.load();
    await b.load();
    await a.update((c) => c.cameras.push(camera('one') as never));
    await b.update((c) => c.cameras.push(camera('two') as never));
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).cameras.map((c: { id: string }) => c.id)).toEqual(['one', 'two']);
  });

  it('takes over a lock left by a dead process', async () => {
    const store = new ConfigStore(file);
    await store.load();
    fs.writeFileSync(`${file}.lock`, '2147483646');
    await store.update((c) => c.cameras.push(camera('after') as never));
    expect(store.data.cameras.map((c) => c.id)).toEqual(['after']);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('gives up on a lock held by a live process, naming the file and the holder', async () => {
    const store = new ConfigStore(file);
    await store.load();
    // A live process that is not us: our parent.
    fs.writeFileSync(`${file}.lock`, String(process.ppid));
    await expect(store.update(() => {})).rejects.toThrow(new RegExp(`config\\.json\\.lock is held by process ${process.ppid}`));
    fs.rmSync(`${file}.lock`);
  });

  it('serialises updates from several processes: none is lost', async () => {
    const store = new ConfigStore(file);
    await store.load();
    const worker = path.join(dir, 'writer.mjs');
    fs.writeFileSync(
      worker,
      `const { ConfigStore } = await import(${JSON.stringify(path.join(here, 'store.ts'))});
const [file, tag, n] = process.argv.slice(2);
const store = new ConfigStore(file);
await store.load();
for (let i = 0; i < Number(n); i++) {
  await store.update((c) => { c.cameras.push({ id: tag + '-' + i, name: 'Cam ' + tag + i, url: 'rtsp://127.0.0.1/' + i }); });
}
`,
    );
    const procs = ['a', 'b', 'c'].map(
      (tag) =>
        new Promise<number>((resolve) => {
          const p = spawn(process.execPath, ['--import', 'tsx', worker, file, tag, '6'], { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          p.stderr.on('data', (d: Buffer) => (err += d.toString()));
          p.on('exit', (code) => {
            if (code !== 0) console.error(err);
            resolve(code ?? 1);
          });
        }),
    );
    expect(await Promise.all(procs)).toEqual([0, 0, 0]);
    const ids = JSON.parse(fs.readFileSync(file, 'utf8')).cameras.map((c: { id: string }) => c.id) as string[];
    expect(ids).toHaveLength(18);
    expect(new Set(ids).size).toBe(18);
  }, 60_000);

  it('queues updates started at once in one process (two requests on one server): none is lost, none waits on its own lock', async () => {
    const store = new ConfigStore(file);
    await store.load();
    // before the queue, the second spun on its own process's lock (blocking the first) until it gave up
    await Promise.all(['a', 'b', 'c', 'd'].map((tag) => store.update((c) => c.cameras.push(camera(tag) as never))));
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).cameras.map((c: { id: string }) => c.id)).toEqual(['a', 'b', 'c', 'd']);
    // a failed update does not stop the next
    const bad = store.update(() => {
      throw new Error('no');
    });
    const next = store.update((c) => c.cameras.push(camera('e') as never));
    await expect(bad).rejects.toThrow('no');
    await next;
    expect(store.data.cameras).toHaveLength(5);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('ConfigStore watch', () => {
  it('reloads edits by other processes and keeps the last good config when an edit is broken', async () => {
    expectLogErrors(/ignoring the edited configuration, the running engine keeps its last good one/);
    const store = new ConfigStore(file);
    await store.load();
    const seen: number[] = [];
    store.onChange((c) => seen.push(c.cameras.length));
    store.watch();
    try {
      const other = new ConfigStore(file);
      await other.load();
      await other.update((c) => c.cameras.push(camera('gate') as never));
      await expect.poll(() => store.data.cameras.length, { timeout: 5000 }).toBe(1);
      fs.writeFileSync(file, '{ broken');
      await new Promise((r) => setTimeout(r, 1500));
      expect(store.data.cameras.map((c) => c.id)).toEqual(['gate']);
      expect(seen).toEqual([1]);
    } finally {
      store.unwatch();
    }
  });
});
