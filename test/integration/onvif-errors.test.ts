/**
 * ONVIF onboarding errors: a wrong password, garbage XML, a silent host and
 * a closed port each get their own message, within the timeout, and the
 * engine keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../main/api/contract.js';
import { startFakeCamera, type FakeCamera } from '../fixtures/onvif/fake-camera.js';
import { onvifEnv, startEngine, type TestEngine } from '../fixtures/onvif/harness.js';

const DISCOVERY_PORT = 18611;
let te: TestEngine;
let good: FakeCamera;
let garbage: FakeCamera;
let silent: FakeCamera;
const logged: string[] = [];
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);

beforeAll(async () => {
  // Collect everything the engine logs, to check that no password shows up.
  process.stdout.write = ((c: string | Uint8Array, ...r: unknown[]) => (logged.push(String(c)), realOut(c, ...(r as [])))) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array, ...r: unknown[]) => (logged.push(String(c)), realErr(c, ...(r as [])))) as typeof process.stderr.write;
  onvifEnv(DISCOVERY_PORT);
  good = await startFakeCamera({ port: 18612, discoveryPort: null, auth: { username: 'admin', password: 'right-pass' }, clockOffsetMs: -7200_000 });
  garbage = await startFakeCamera({ port: 18613, discoveryPort: null, mode: 'garbage' });
  silent = await startFakeCamera({ port: 18614, discoveryPort: null, mode: 'silent' });
  te = await startEngine('errors');
});

afterAll(async () => {
  process.stdout.write = realOut;
  process.stderr.write = realErr;
  await te?.stop();
  await Promise.all([good?.stop(), garbage?.stop(), silent?.stop()]);
});

async function failure(params: Record<string, unknown>): Promise<{ err: ApiError; ms: number }> {
  const t0 = Date.now();
  try {
    await te.call('onvif.add', params);
  } catch (err) {
    return { err: err as ApiError, ms: Date.now() - t0 };
  }
  throw new Error('onvif.add succeeded but should have failed');
}

describe('onvif.add errors', () => {
  it('a wrong password gets "refused the username or password" (NotAuthorized), despite a 2 h clock skew', async () => {
    const { err } = await failure({ xaddr: good.xaddr, username: 'admin', password: 'wrong-pw-7f3', timeoutMs: 3000 });
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('bad_request');
    expect(err.field).toBe('password');
    expect(err.message).toMatch(/refused the username or password \(NotAuthorized\)/);
    expect(good.ops('GetCapabilities') + good.ops('GetDeviceInformation')).toBeGreaterThan(0);
  });

  it('garbage XML gets "not XML / not a SOAP envelope" naming the address to use', async () => {
    const { err } = await failure({ xaddr: garbage.xaddr, username: 'admin', password: 'x', timeoutMs: 3000 });
    expect(err.code).toBe('bad_request');
    expect(err.message).toMatch(/not XML|not a SOAP envelope/);
    expect(err.message).toMatch(/onvif\/device_service/);
  });

  it('a silent host gets "no answer within N s" after about the timeout, not later', async () => {
    const { err, ms } = await failure({ xaddr: silent.xaddr, username: 'admin', password: 'x', timeoutMs: 1500 });
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/no answer from 127\.0\.0\.1:18614 within 1\.5 s/);
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(10_000);
  });

  it('a closed port gets "connection refused"', async () => {
    const { err } = await failure({ xaddr: 'http://127.0.0.1:18619/onvif/device_service', timeoutMs: 3000 });
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/connection refused/);
  });

  it('the right password works after all that (and no camera was added by the failures)', async () => {
    expect(await te.call<unknown[]>('cameras.list')).toHaveLength(0);
    const cam = await te.call<{ id: string; url: string; hasPassword: boolean }>('onvif.add', { xaddr: good.xaddr, username: 'admin', password: 'right-pass', name: 'Gate east' });
    expect(cam.id).toBe('gate-east');
    expect(cam.hasPassword).toBe(true);
    expect(JSON.stringify(cam)).not.toContain('right-pass');
    const again = await failure({ xaddr: good.xaddr, username: 'admin', password: 'right-pass' });
    expect(again.err.code).toBe('conflict');
    expect(again.err.message).toMatch(/already added as camera "Gate east"/);
  });

  it('no password appears in any log line', () => {
    const all = logged.join('');
    expect(all).toContain('Gate east');
    expect(all).not.toContain('right-pass');
    expect(all).not.toContain('wrong-pw-7f3');
  });
});
