/**
 * `npm start` stopped as a service manager stops it: SIGTERM to npm (the
 * main process; npm passes it to its shell only), or SIGTERM to the start
 * script itself. Either way the server and every ffmpeg it ran must be gone
 * soon after, and the start script exits with the server's code. Runs the
 * real chain (npm → sh → scripts/start.mjs → bin/gatehouse.js start
 * --headless → the engine with the DEMO cameras) on a temp data dir.
 * GATEHOUSE_SKIP_BUILD=1 skips the build check (bin/gatehouse.js runs the
 * sources when dist/ is stale).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../fixtures/rtsp.js';
import { repoRoot } from '../fixtures/media.js';
import { processesMentioning, tempDir, waitFor } from './recording-harness.js';

/** Command lines of the processes whose command line names `dir`. */
function commandsMentioning(dir: string): string[] {
  return processesMentioning(dir).map((pid) => {
    try {
      return `${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 160)}`;
    } catch {
      return `${pid}: (gone)`;
    }
  });
}

describe('npm start and stop signals', () => {
  const started: { group: number; dir: string }[] = [];
  afterEach(() => {
    // whatever a failed test left: its process group, then anything naming its data dir
    for (const s of started.splice(0)) {
      try {
        process.kill(-s.group, 'SIGKILL');
      } catch {
        /* gone */
      }
      for (const pid of processesMentioning(s.dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      fs.rmSync(s.dir, { recursive: true, force: true });
    }
  });

  /** Start the chain; resolve when the console answers and the DEMO cameras' ffmpegs run. */
  async function launch(cmd: string, args: string[]): Promise<{ child: ChildProcess; dir: string; port: number; log: string }> {
    const dir = tempDir('start');
    const port = await freePort();
    const log = path.join(dir, 'start.log');
    fs.mkdirSync(dir, { recursive: true });
    const out = fs.openSync(log, 'a');
    const child = spawn(cmd, [...args, '--headless', '--data', path.join(dir, 'data'), '--port', String(port), '--admin-password', 'adminadmin'], {
      cwd: repoRoot,
      stdio: ['ignore', out, out],
      detached: true, // its own process group, so the test can clean up whatever happens
      env: { ...process.env, GATEHOUSE_SKIP_BUILD: '1' },
    });
    fs.closeSync(out);
    started.push({ group: child.pid!, dir });
    await waitFor(
      'the console to answer',
      async () => (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok,
      120_000,
      500,
    );
    await waitFor('the DEMO cameras recording (ffmpegs running)', () => commandsMentioning(dir).filter((c) => /ffmpeg/.test(c)).length >= 4, 60_000, 500);
    return { child, dir, port, log };
  }

  async function expectAllGone(dir: string, port: number, child: ChildProcess): Promise<number | null> {
    const code = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once('exit', (c) => resolve(c));
    });
    await waitFor('no server or ffmpeg left', () => commandsMentioning(dir).length === 0, 30_000, 250).catch((err: Error) => {
      throw new Error(`${err.message}; still running:\n${commandsMentioning(dir).join('\n')}`);
    });
    expect(await fetch(`http://127.0.0.1:${port}/api/health`).then(() => 'answers', () => 'closed')).toBe('closed');
    return code;
  }

  it('SIGTERM to npm (the service\'s main process) stops the server and its ffmpegs', async () => {
    const { child, dir, port, log } = await launch('npm', ['start', '--']);
    child.kill('SIGTERM');
    await expectAllGone(dir, port, child);
    expect(fs.readFileSync(log, 'utf8')).toMatch(/shutting down/);
  });

  it('SIGTERM to the start script stops the server and its ffmpegs, and it exits with the server\'s code', async () => {
    const { child, dir, port, log } = await launch(process.execPath, [path.join(repoRoot, 'scripts', 'start.mjs')]);
    child.kill('SIGTERM');
    const code = await expectAllGone(dir, port, child);
    expect(code).toBe(0);
    expect(fs.readFileSync(log, 'utf8')).toMatch(/SIGTERM: shutting down/);
  });
});
