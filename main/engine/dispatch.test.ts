import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/contract.js';
import { ConfigError } from './config/store.js';
import { Dispatcher } from './dispatch.js';

describe('Dispatcher', () => {
  const admin = { username: 'admin', role: 'admin' as const };

  it('a change that meets a broken config.json on disk is answered "unavailable" with the file, the field and the fix', async () => {
    const d = new Dispatcher(() => admin);
    d.add({
      'cameras.list': () => {
        throw new ConfigError('/data/config.json', 'cameras[0].zones[0].id', 'zone id looks like z_1a2b3c4d', 'correct or remove that field');
      },
    });
    const err = (await d.handle('cameras.list', {}, { token: 't', peer: 'test' }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/can't be saved: \/data\/config\.json \(field cameras\[0\]\.zones\[0\]\.id\).*last good settings/);
  });

  it('checks the role before the handler runs', async () => {
    const d = new Dispatcher(() => ({ username: 'g', role: 'guard' }));
    let ran = false;
    d.add({ 'users.list': () => ((ran = true), []) });
    const err = (await d.handle('users.list', {}, { token: 't', peer: 'test' }).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('forbidden');
    expect(ran).toBe(false);
  });
});
