import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configCheck, doctorCommand, nodeCheck, runChecks, type Check } from './commands/doctor.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-doctor-'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const byName = (checks: Check[], name: string) => checks.find((c) => c.name === name);

function everyFailureHasAFix(checks: Check[]): void {
  for (const c of checks) {
    if (!c.ok || c.warn) {
      expect(c.fix, `check "${c.name}" failed without a fix`).toBeTruthy();
      expect(c.fix!.split('\n')).toHaveLength(1);
    }
  }
}

describe('gatehouse doctor', () => {
  it('passes on a healthy machine with a fresh data dir', async () => {
    const checks = await runChecks(path.join(dir, 'data'), await freePort(), '127.0.0.1');
    expect(checks.map((c) => c.name)).toEqual(expect.arrayContaining(['node', 'ffmpeg', 'ffprobe', 'detection model', 'data dir', 'config', 'free disk', 'console', 'port']));
    for (const name of ['node', 'ffmpeg', 'ffprobe', 'data dir', 'config', 'port']) expect(byName(checks, name)?.ok, name).toBe(true);
    everyFailureHasAFix(checks);
  }, 60_000);

  it('reports a missing ffmpeg, a taken port and an unusable data dir, each with a fix', async () => {
    vi.stubEnv('GATEHOUSE_FFMPEG', path.join(dir, 'no-such-ffmpeg'));
    const blocker = net.createServer();
    const port = await new Promise<number>((r) => blocker.listen(0, '127.0.0.1', () => r((blocker.address() as net.AddressInfo).port)));
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    try {
      const checks = await runChecks(path.join(file, 'data'), port, '127.0.0.1');
      expect(byName(checks, 'ffmpeg')).toMatchObject({ ok: false });
      expect(byName(checks, 'ffmpeg')!.fix).toMatch(/no-such-ffmpeg/);
      expect(byName(checks, 'port')).toMatchObject({ ok: false, fix: expect.stringMatching(/--port/) });
      expect(byName(checks, 'data dir')).toMatchObject({ ok: false, fix: expect.stringMatching(/--data DIR/) });
      everyFailureHasAFix(checks);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  }, 60_000);

  it('names the field of a broken config and never changes the file', () => {
    const file = path.join(dir, 'config.json');
    const text = JSON.stringify({ schemaVersion: 1, cameras: [{ id: 'gate', name: 'Gate', url: 'rtsp://x/y', colour: 'red' }] });
    fs.writeFileSync(file, text);
    const c = configCheck(file);
    expect(c.ok).toBe(false);
    expect(c.detail).toMatch(/cameras\[0\]/);
    expect(c.fix).toMatch(/remove the key/);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    fs.writeFileSync(file, '{ nope');
    expect(configCheck(file)).toMatchObject({ ok: false, detail: expect.stringMatching(/line 1/) });
    expect(configCheck(path.join(dir, 'absent.json')).ok).toBe(true);
  });

  it('checks the Node version', () => {
    expect(nodeCheck('20.19.0').ok).toBe(true);
    expect(nodeCheck('22.1.0').ok).toBe(true);
    expect(nodeCheck('20.18.3')).toMatchObject({ ok: false, fix: expect.stringMatching(/20\.19/) });
    expect(nodeCheck('18.20.0').ok).toBe(false);
  });

  it('prints one line per check, a fix under each failure, and exits 1 on failure', async () => {
    vi.stubEnv('GATEHOUSE_FFMPEG', path.join(dir, 'no-such-ffmpeg'));
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      const code = await doctorCommand.run(['--data', path.join(dir, 'data'), '--port', String(await freePort())]);
      expect(code).toBe(1);
    } finally {
      log.mockRestore();
    }
    const i = lines.findIndex((l) => l.startsWith('[FAIL] ffmpeg'));
    expect(i).toBeGreaterThanOrEqual(0);
    expect(lines[i + 1]).toMatch(/^\s+fix: /);
  }, 60_000);
});
