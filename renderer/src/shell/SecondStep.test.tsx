// @vitest-environment happy-dom
/**
 * The sign-in's second step in the console against FakeServer: the code
 * after the password (a wrong one keeps the form with the server's message),
 * an admin's enrolment with the QR code and the recovery codes shown once
 * the session has started, and a dead ticket back to the password.
 */
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/api/contract.js';
import { FakeServer } from '../test-support/fake-server.js';
import { setValue, testSettings, viewHarness } from '../test-support/view-harness.js';
import { App } from './App.js';

const CODES = Array.from({ length: 10 }, (_, i) => `abcd-efgh-jkmn-pq${'rstvwxyz23'[i]}${'rstvwxyz23'[i]}`);

function makeServer(next: 'totp' | 'enrol', opts: { ticketGone?: boolean } = {}) {
  return new FakeServer(
    {
      'auth.login': () => ({ next, ticket: 'ticket-0123456789abcdefghij', username: next === 'enrol' ? 'root' : 'ann', expiresInS: 300 }),
      'auth.totpVerify': (p) => {
        const { code } = p as { code: string };
        if (opts.ticketGone) throw new ApiError('unauthorized', 'this sign-in expired (5 minutes), was used, or had too many wrong codes; enter your username and password again');
        if (code !== '123456') throw new ApiError('unauthorized', 'that code is not right (or was used already): enter the code your app shows now, or a recovery code', 'code');
        return { user: { username: 'ann', role: 'guard' }, token: 't', secondFactor: 'totp', recoveryLeft: 10 };
      },
      'auth.totpEnrolBegin': () => ({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', uri: 'otpauth://totp/x', qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"/>', expiresInS: 600 }),
      'auth.totpEnrolFinish': (p) => {
        if ((p as { code: string }).code !== '654321') throw new ApiError('unauthorized', 'that code is not right', 'code');
        return { user: { username: 'root', role: 'admin' }, token: 't', recoveryCodes: CODES };
      },
      'cameras.list': () => [],
      'settings.get': () => testSettings,
    },
    null,
  );
}

const h = viewHarness();
const { q, until } = h;
function type(el: HTMLElement | null, value: string) {
  act(() => setValue(el as HTMLInputElement, value));
}
function submit(id: string) {
  act(() => {
    (q(id) as HTMLFormElement).requestSubmit();
  });
}

async function mount(s: FakeServer) {
  h.start(s);
  await h.render(<App />, 0);
  await until(() => q('login-form'), 'login form');
  type(q('login-username'), 'ann');
  type(q('login-password'), 'right-password');
  submit('login-form');
}

beforeEach(() => {
  location.hash = '#/settings';
});

describe('the second step of a sign-in', () => {
  it('asks for the code; a wrong one shows the message, the right one opens the console', async () => {
    await mount(makeServer('totp'));
    await until(() => q('login-totp-form'), 'the code form');
    expect(h.client.user).toBeNull();
    type(q('login-code'), '000000');
    submit('login-totp-form');
    await until(() => q('login-error'), 'the error');
    expect(q('login-error')!.textContent).toMatch(/not right/);
    expect(q('login-totp-form')).not.toBeNull();
    type(q('login-code'), '123456');
    submit('login-totp-form');
    await until(() => q('current-user'), 'the console');
    expect(h.client.user).toEqual({ username: 'ann', role: 'guard' });
    expect(h.server.calls.filter((c) => c.method === 'auth.totpVerify').at(-1)!.params).toEqual({ ticket: 'ticket-0123456789abcdefghij', username: 'ann', code: '123456' });
  });

  it('a dead ticket goes back to the password with the reason', async () => {
    await mount(makeServer('totp', { ticketGone: true }));
    await until(() => q('login-totp-form'), 'the code form');
    type(q('login-code'), '123456');
    submit('login-totp-form');
    await until(() => q('login-form'), 'the password form');
    expect(q('login-error')!.textContent).toMatch(/enter your username and password again/);
  });

  it('an admin enrols: the QR code, the first code, then the recovery codes once in the console', async () => {
    await mount(makeServer('enrol'));
    await until(() => q('totp-qr'), 'the QR code');
    expect(q('totp-qr')!.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(q('totp-secret')!.textContent).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    type(q('login-code'), '654321');
    submit('totp-enrol');
    await until(() => q('recovery-codes-dialog'), 'the recovery codes');
    expect(q('recovery-codes')!.querySelectorAll('li')).toHaveLength(10);
    expect(q('current-user')!.textContent).toContain('root');
    act(() => q('recovery-codes-done')!.click());
    expect(q('recovery-codes-dialog')).toBeNull();
  });
});
