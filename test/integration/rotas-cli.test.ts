/**
 * `gatehouse rotas`, without and with a running server: add a rota (contacts
 * by name or id, --starts in the site's time zone), `list` shows whose turn it
 * is and until when, `update`, `remove`; bad input (an unknown contact, a bad
 * period, a name taken, an unknown rota) exits with the usual codes and says
 * what to do; a running server uses a change within a second and its
 * contacts.list says whose turn it is; every change is audited as
 * `rotas.add|update|remove` by os:<login>, the console's by the user (and
 * oncall.set, kept for scripts, with its params).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactView, OnCallView, Rota } from '../../main/api/notify.js';
import { cliArgs } from './recording-harness.js';
import { ADMIN_PW, startEngine, tempDir, waitFor, type TestEngine } from './alarms-support.js';

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
  dir = tempDir('rotas-cli');
  for (const name of ['Ann Tech', 'Bob Tech', 'Cy Tech']) {
    const r = await cli(['contacts', 'add', '--name', name, '--email', `${name.split(' ')[0]!.toLowerCase()}@example.org`, '--level', '3']);
    expect(r.code, r.stderr).toBe(0);
  }
  // the site's zone: --starts without a zone is read in it
  const file = path.join(dir, 'config.json');
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  cfg.settings = { ...(cfg.settings ?? {}), timeZone: 'Europe/Berlin' };
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
}, 120_000);

afterAll(async () => {
  await e?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('gatehouse rotas', () => {
  it('adds a rota, lists whose turn it is, changes and removes it, without a server', async () => {
    // started two days and a bit ago, turns of 24 h: the third member's turn now
    const start = new Date(Date.now() - 2 * 86_400_000 - 3_600_000);
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'short' }).format(start);
    const add = await cli(['rotas', 'add', 'Night techs', '--members', 'ann tech,bob-tech,Cy Tech', '--period', '24h', '--starts', local]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Rota Night techs \(id night-techs\) added: Ann Tech → Bob Tech → Cy Tech, 24 h each from/);
    expect(add.stdout).toMatch(/Now: Cy Tech \(3 of 3\) until .*, then Ann Tech\./);

    const list = await cli(['rotas', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/Times in Europe\/Berlin/);
    expect(list.stdout).toMatch(/night-techs\s+Night techs\s+24 h\s+Ann Tech → Bob Tech → Cy Tech\s+\S+ \S+\s+Cy Tech \(3 of 3\) until/);
    const [row] = JSON.parse((await cli(['rotas', 'list', '--json'])).stdout) as {
      id: string;
      startsAt: string;
      members: string[];
      now: { member: string; until: string };
    }[];
    // the local time was read in Berlin: the stored start is that minute in UTC
    expect(Math.abs(Date.parse(row!.startsAt) - Math.floor(start.getTime() / 60_000) * 60_000)).toBe(0);
    expect(row).toMatchObject({ id: 'night-techs', members: ['ann-tech', 'bob-tech', 'cy-tech'], now: { member: 'cy-tech' } });
    expect(Date.parse(row!.now.until)).toBe(Date.parse(row!.startsAt) + 3 * 86_400_000);

    // contacts list says who is on duty: only Cy, on their turn
    const contacts = await cli(['contacts', 'list']);
    expect(contacts.stdout).toMatch(/cy-tech .* on duty/);
    expect(contacts.stdout).toMatch(/ann-tech .* not their turn \(Night techs: cy-tech's turn\)/);

    const upd = await cli(['rotas', 'update', 'night techs', '--period', '1w', '--members', 'Bob Tech,ann-tech']);
    expect(upd.code, upd.stderr).toBe(0);
    expect(upd.stdout).toMatch(
      /Rota Night techs \(id night-techs\) changed: Bob Tech → Ann Tech, 1 week each from .* Now: Bob Tech \(1 of 2\)/,
    );

    const rm = await cli(['rotas', 'remove', 'Night techs']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).toMatch(/Rota Night techs \(id night-techs\) removed\./);
    expect((await cli(['rotas', 'list'])).stdout).toMatch(/No rotas\. Add one with: gatehouse rotas add/);
  }, 120_000);

  it('says what is wrong with bad input, with the usual exit codes', async () => {
    const unknown = await cli(['rotas', 'add', 'Days', '--members', 'Ann Tech,Zed', '--starts', 'now']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/--members: no contact "Zed" \(contacts: Ann Tech, Bob Tech, Cy Tech\)/);
    const period = await cli(['rotas', 'add', 'Days', '--members', 'Ann Tech', '--period', 'fortnight', '--starts', 'now']);
    expect(period.code).toBe(2);
    expect(period.stderr).toMatch(/--period: "fortnight" is not a period; write 12h, 24h, 1w, 2d or a number of hours/);
    const long = await cli(['rotas', 'add', 'Days', '--members', 'Ann Tech', '--period', '100d', '--starts', 'now']);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/a turn lasts from 1 hour to 90 days/);
    const starts = await cli(['rotas', 'add', 'Days', '--members', 'Ann Tech', '--starts', 'tomorrow']);
    expect(starts.code).toBe(2);
    expect(starts.stderr).toMatch(/--starts: "tomorrow" is not a time/);
    const noStart = await cli(['rotas', 'add', 'Days', '--members', 'Ann Tech']);
    expect(noStart.code).toBe(2);
    expect(noStart.stderr).toMatch(/--starts is required/);
    const twice = await cli(['rotas', 'add', 'Days', '--members', 'Ann Tech,ann-tech', '--starts', 'now']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/--members: Ann Tech is in the rota twice/);

    expect((await cli(['rotas', 'add', 'Days', '--members', 'Ann Tech', '--starts', '2026-01-05 07:00'])).code).toBe(0);
    const dup = await cli(['rotas', 'add', 'days', '--members', 'Bob Tech', '--starts', 'now']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/NAME: a rota named "days" exists; use another name or change that one/);
    const gone = await cli(['rotas', 'remove', 'Nights']);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/no rota "Nights"; see gatehouse rotas list/);
    const nothing = await cli(['rotas', 'update', 'Days']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/nothing to change/);
    const sub = await cli(['rotas', 'swap']);
    expect(sub.code).toBe(2);
    expect(JSON.parse((await cli(['rotas', 'list', '--json'])).stdout)[0]).toMatchObject({ id: 'days', startsAt: '2026-01-05T06:00:00Z' });
    expect((await cli(['rotas', 'remove', 'days'])).code).toBe(0);
  }, 120_000);

  it('a running server uses a rota added with the CLI within a second; CLI and console changes are audited', async () => {
    e = await startEngine(dir, { http: false });
    const seen: string[] = [];
    e.engine.bus.on('notify.changed', (x) => seen.push(x.what));
    const add = await cli(['rotas', 'add', 'Weekend', '--members', 'Bob Tech', '--period', '12h', '--starts', '-1h']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/The running server uses it within a second/);
    const admin = (await e.engine.handle('auth.login', { username: 'admin', password: ADMIN_PW }, { peer: 'test' })) as {
      token: string;
    };
    const ctx = { peer: 'test', token: admin.token };
    await waitFor(
      'the server has the rota',
      async () => ((await e!.engine.handle('oncall.get', {}, ctx)) as OnCallView).rotas.some((r) => r.id === 'weekend'),
      3000,
      50,
    );
    expect(seen).toContain('oncall');
    const { contacts } = (await e.engine.handle('contacts.list', {}, ctx)) as { contacts: ContactView[] };
    expect(contacts.find((c) => c.id === 'bob-tech')).toMatchObject({
      onDuty: true,
      dutyNote: expect.stringMatching(/rota Weekend: their turn \(1 of 1\)/),
    });

    // the console's change: the whole list through oncall.set (a new rota without an id)
    const v = (await e.engine.handle(
      'oncall.set',
      {
        rotas: [
          ...((await e.engine.handle('oncall.get', {}, ctx)) as OnCallView).rotas,
          { name: 'Days', startsAt: '2026-01-05T06:00:00Z', periodHours: 24, members: ['ann-tech'] },
        ],
      },
      ctx,
    )) as OnCallView;
    expect(v.rotas.map((r) => r.id)).toEqual(['weekend', 'days']);
    expect((await cli(['rotas', 'remove', 'weekend'])).code).toBe(0);
    await waitFor(
      'gone',
      async () => !((await e!.engine.handle('oncall.get', {}, ctx)) as OnCallView).rotas.some((r) => r.id === 'weekend'),
      3000,
      50,
    );
    // the console's one-rota change, while the CLI's is taken up
    const u = (await e.engine.handle('rotas.update', { id: 'days', periodHours: 12 }, ctx)) as Rota;
    expect(u).toMatchObject({ id: 'days', periodHours: 12, members: ['ann-tech'] });

    const trail = e.engine.alarms!.audit;
    const cli_ = ['rotas.add', 'rotas.update', 'rotas.remove'].flatMap((action) =>
      trail.list({ action }, null, 50).items.filter((r) => r.actor.startsWith('os:')),
    );
    expect(cli_.map((r) => (r.details as { change: string }).change)).toEqual(
      expect.arrayContaining(['rota added', 'rota changed', 'rota removed']),
    );
    expect(cli_.find((r) => r.target === 'rota:weekend')).toMatchObject({ details: { via: 'cli' } });
    expect(trail.list({ action: 'oncall.set' }, null, 50).items.find((r) => r.actor === 'admin')).toMatchObject({
      details: { params: { rotas: expect.any(Array) } },
    });
    expect(trail.list({ action: 'rotas.update' }, null, 50).items.find((r) => r.actor === 'admin')).toMatchObject({
      target: 'days',
      details: { params: { id: 'days', periodHours: 12 } },
    });
  }, 120_000);
});
