import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../main/api/contract.js';
import { ConnectionStore } from './connection.js';

const admin = { username: 'admin', role: 'admin' } as const;

describe('ConnectionStore', () => {
  it('starts connecting and stamps when each state began', () => {
    let now = 1000;
    const s = new ConnectionStore('ws', () => now);
    expect(s.snapshot()).toMatchObject({ state: 'connecting', transport: 'ws', hello: null, user: null, attempt: 0, since: 1000 });
    now = 2000;
    s.patch({ attempt: 1 });
    expect(s.snapshot().since).toBe(1000); // same state: same start
    s.patch({ state: 'reconnecting' });
    expect(s.snapshot().since).toBe(2000);
  });

  it('hands out a new snapshot object on every change and tells subscribers, surviving a throwing one', () => {
    const s = new ConnectionStore('ipc');
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: string[] = [];
    s.subscribe(() => {
      throw new Error('boom');
    });
    const off = s.subscribe(() => seen.push(s.snapshot().state));
    const before = s.snapshot();
    s.online({ version: '1', user: admin });
    expect(s.snapshot()).not.toBe(before);
    off();
    s.patch({ state: 'offline' });
    expect(seen).toEqual(['online']);
    expect(err).toHaveBeenCalled();
    err.mockRestore();
  });

  it('counts a return as a reconnect only after it had been online and was lost', () => {
    const s = new ConnectionStore('ws');
    s.markLost(); // never online: a failed first attempt is not a loss
    expect(s.everOnline).toBe(false);
    expect(s.online({ version: '1', user: null })).toBe(false);
    expect(s.everOnline).toBe(true);
    expect(s.online({ version: '1', user: null })).toBe(false); // a second hello without a loss
    s.markLost();
    expect(s.online({ version: '2', user: admin })).toBe(true);
    expect(s.snapshot()).toMatchObject({
      state: 'online',
      hello: { version: '2' },
      user: admin,
      attempt: 0,
      retryAt: null,
      lastError: null,
    });
  });

  it('drops the user when a call is refused for a lost session, but not for a wrong password', () => {
    const s = new ConnectionStore('ws');
    const gone = new ApiError('unauthorized', 'the session has expired');
    s.online({ version: '1', user: admin });
    expect(s.sessionRejected('auth.login', gone)).toBe(false);
    expect(s.sessionRejected('cameras.list', new ApiError('forbidden', 'admins only'))).toBe(false);
    expect(s.snapshot().user).toEqual(admin);
    expect(s.sessionRejected('cameras.list', gone)).toBe(true);
    expect(s.snapshot()).toMatchObject({ user: null, hello: { version: '1', user: null } });
    expect(s.sessionRejected('cameras.list', gone)).toBe(false); // already logged out
  });

  it('records a login without a hello (desktop)', () => {
    const s = new ConnectionStore('ipc');
    s.loggedIn(admin);
    expect(s.snapshot()).toMatchObject({ user: admin, hello: { version: '', user: admin } });
    s.loggedOut();
    expect(s.snapshot()).toMatchObject({ user: null, hello: { version: '', user: null } });
  });
});
