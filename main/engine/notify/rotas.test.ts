/**
 * Rotas: whose turn it is (main/api/rota.ts), the period's text forms, and
 * the changes to config.notifications.rotas (settings.ts) that the console
 * (oncall.set, the whole list) and the CLI (one rota) make: ids from the
 * name, names unique, members known contacts once each, errors on the field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, parseParams } from '../../api/contract.js';
import { formatPeriod, parsePeriod, rotaTurn } from '../../api/rota.js';
import { notifySetupOf } from '../config/schema.js';
import { ConfigStore } from '../config/store.js';
import { addContact, addRota, checkRotas, findContact, findRota, removeContact, removeRota, setOnCall, updateRota } from './settings.js';

const at = (iso: string) => Date.parse(iso);

describe('whose turn', () => {
  const r = { startsAt: '2026-03-02T07:00:00Z', periodHours: 24, members: ['ann', 'bob', 'cy'] };
  it('gives the member, when the turn began and ends, and who is next', () => {
    expect(rotaTurn(r, at('2026-03-02T06:59:59Z'))).toBeNull();
    expect(rotaTurn(r, at('2026-03-03T10:00:00Z'))).toEqual({
      member: 'bob',
      index: 1,
      startsMs: at('2026-03-03T07:00:00Z'),
      endsMs: at('2026-03-04T07:00:00Z'),
      next: 'cy',
    });
    expect(rotaTurn(r, at('2026-03-04T07:00:00Z'))).toMatchObject({ member: 'cy', next: 'ann' });
    expect(rotaTurn({ ...r, members: ['ann'] }, at('2026-04-01T00:00:00Z'))).toMatchObject({ member: 'ann', next: 'ann' });
    expect(rotaTurn({ ...r, startsAt: 'soon' }, at('2026-04-01T00:00:00Z'))).toBeNull();
  });
});

describe('periods', () => {
  it('reads 12h, 24h, 1w, 2d and plain hours; prints hours or weeks', () => {
    expect(parsePeriod('12h')).toBe(12);
    expect(parsePeriod(' 24H ')).toBe(24);
    expect(parsePeriod('36')).toBe(36);
    expect(parsePeriod('2d')).toBe(48);
    expect(parsePeriod('1w')).toBe(168);
    expect(parsePeriod('2 weeks')).toBe(336);
    expect(formatPeriod(12)).toBe('12 h');
    expect(formatPeriod(168)).toBe('1 week');
    expect(formatPeriod(336)).toBe('2 weeks');
    expect(formatPeriod(36)).toBe('36 h');
  });

  it('says what to write for a bad period', () => {
    expect(() => parsePeriod('fortnight')).toThrow(/"fortnight" is not a period; write 12h, 24h, 1w, 2d or a number of hours/);
    expect(() => parsePeriod('1.5h')).toThrow(/not a period/);
    expect(() => parsePeriod('0h')).toThrow(/from 1 hour to 90 days/);
    expect(() => parsePeriod('14w')).toThrow(/"14w" is 2352 h: a turn lasts from 1 hour to 90 days \(2160 h\)/);
  });
});

describe('rota changes in the config', () => {
  let dir: string;
  let config: ConfigStore;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-rotas-'));
    config = new ConfigStore(path.join(dir, 'config.json'));
    await config.load();
    for (const name of ['Ann Tech', 'Bob Tech', 'Cy Tech']) await addContact(config, { name, email: 'x@example.org', level: 3 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    return { code: e.code, field: e.field, message: e.message };
  };

  it('oncall.set: a new rota gets an id from its name; the list replaces the old one and is stored', async () => {
    const p = parseParams('oncall.set', {
      rotas: [{ name: 'Night techs', startsAt: '2026-03-02T19:00:00Z', periodHours: 12, members: ['bob-tech', 'ann-tech'] }],
    });
    const v = await setOnCall(config, p);
    expect(v.rotas).toEqual([
      { id: 'night-techs', name: 'Night techs', startsAt: '2026-03-02T19:00:00Z', periodHours: 12, members: ['bob-tech', 'ann-tech'] },
    ]);
    // a second one with the same slug gets its own id; the first keeps its
    const v2 = await setOnCall(
      config,
      parseParams('oncall.set', { rotas: [...v.rotas, { name: 'Night-techs 2', startsAt: '2026-03-02T19:00:00Z', members: ['cy-tech'] }] }),
    );
    expect(v2.rotas.map((r) => [r.id, r.periodHours])).toEqual([
      ['night-techs', 12],
      ['night-techs-2', 168],
    ]);
    const reread = new ConfigStore(path.join(dir, 'config.json'));
    await reread.load();
    expect(notifySetupOf(reread.data).rotas.map((r) => r.id)).toEqual(['night-techs', 'night-techs-2']);
  });

  it('the API refuses bad fields with their path and a message for a person', () => {
    const bad = (rota: object) => {
      try {
        parseParams('oncall.set', { rotas: [rota] });
      } catch (err) {
        return { field: (err as ApiError).field, message: (err as ApiError).message };
      }
      return null;
    };
    const ok = { name: 'Techs', startsAt: '2026-03-02T07:00:00Z', periodHours: 24, members: ['ann-tech'] };
    expect(bad({ ...ok, name: '  ' })).toEqual({ field: 'rotas.0.name', message: 'oncall.set: rotas.0.name: a rota needs a name' });
    expect(bad({ ...ok, members: [] })).toMatchObject({ field: 'rotas.0.members', message: expect.stringMatching(/at least one member/) });
    expect(bad({ ...ok, periodHours: 0 })).toMatchObject({
      field: 'rotas.0.periodHours',
      message: expect.stringMatching(/at least 1 hour/),
    });
    expect(bad({ ...ok, periodHours: 1.5 })).toMatchObject({ message: expect.stringMatching(/whole number of hours/) });
    expect(bad({ ...ok, periodHours: null })).toMatchObject({ message: expect.stringMatching(/the period is a number of hours/) });
    expect(bad({ ...ok, periodHours: 3000 })).toMatchObject({ message: expect.stringMatching(/at most 90 days/) });
    expect(bad({ ...ok, startsAt: '' })).toMatchObject({
      field: 'rotas.0.startsAt',
      message: expect.stringMatching(/the time the first turn starts/),
    });
    expect(bad({ ...ok, extra: 1 })).toMatchObject({ message: expect.stringMatching(/unknown field/) });
  });

  it('refuses an unknown member, a member twice and a name taken, naming the rota field', async () => {
    const rota = { name: 'Techs', startsAt: '2026-03-02T07:00:00Z', periodHours: 24, members: ['ann-tech'] };
    expect(await refusal(setOnCall(config, { rotas: [{ ...rota, members: ['ann-tech', 'zed'] }] }))).toMatchObject({
      code: 'bad_request',
      field: 'rotas.0.members',
      message: expect.stringMatching(/no contact "zed"; add the contacts first/),
    });
    expect(await refusal(setOnCall(config, { rotas: [{ ...rota, members: ['ann-tech', 'bob-tech', 'ann-tech'] }] }))).toMatchObject({
      field: 'rotas.0.members',
      message: 'Ann Tech is in the rota twice; each member takes one turn per round',
    });
    expect(await refusal(setOnCall(config, { rotas: [rota, { ...rota, name: 'techs' }] }))).toMatchObject({
      code: 'conflict',
      field: 'rotas.1.name',
      message: 'a rota named "techs" exists; use another name or change that one',
    });
    expect(await refusal(setOnCall(config, { rotas: [rota, { ...rota, name: 'Other', periodHours: 0 }] }))).toMatchObject({
      field: 'rotas.1.periodHours',
    });
    expect(notifySetupOf(config.data).rotas).toEqual([]); // nothing stored
  });

  it('the CLI side: add, find by name or id, update, remove; contacts by name or id', async () => {
    const contacts = notifySetupOf(config.data).contacts;
    expect(findContact(contacts, 'bob tech')!.id).toBe('bob-tech');
    expect(findContact(contacts, 'cy-tech')!.name).toBe('Cy Tech');
    expect(findContact(contacts, 'Dan')).toBeUndefined();
    const r = await addRota(config, {
      name: 'Weekend',
      startsAt: '2026-03-07T07:00:00Z',
      periodHours: 24,
      members: ['ann-tech', 'cy-tech'],
    });
    expect(r.id).toBe('weekend');
    expect(await refusal(addRota(config, { ...r, id: undefined, name: 'WEEKEND' }))).toMatchObject({ code: 'conflict' });
    expect(findRota(notifySetupOf(config.data).rotas, 'weekend ')?.id).toBe('weekend');
    const u = await updateRota(config, 'Weekend', { periodHours: 48, members: ['cy-tech', 'ann-tech'], name: undefined });
    expect(u).toMatchObject({ id: 'weekend', name: 'Weekend', periodHours: 48, members: ['cy-tech', 'ann-tech'] });
    expect(await refusal(updateRota(config, 'nope', { periodHours: 1 }))).toMatchObject({ code: 'not_found' });
    // a contact removed leaves the rota; a rota left empty goes
    await removeContact(config, 'cy-tech');
    expect(notifySetupOf(config.data).rotas[0]!.members).toEqual(['ann-tech']);
    expect((await removeRota(config, 'weekend')).name).toBe('Weekend');
    expect(notifySetupOf(config.data).rotas).toEqual([]);
    expect(await refusal(removeRota(config, 'weekend'))).toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/no rota "weekend"/),
    });
  });

  it('checkRotas keeps given ids and never hands out one that is taken', () => {
    const contacts = notifySetupOf(config.data).contacts;
    const out = checkRotas(contacts, [
      { name: 'Techs', startsAt: '2026-03-02T07:00:00Z', members: ['ann-tech'] },
      { id: 'techs', name: 'Old techs', startsAt: '2026-03-02T07:00:00Z', members: ['bob-tech'] },
    ]);
    expect(out.map((r) => r.id)).toEqual(['techs-2', 'techs']);
  });
});
