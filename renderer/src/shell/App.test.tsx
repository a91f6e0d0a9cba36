// @vitest-environment happy-dom
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError, type CameraInfo, type CameraStatus } from '../../../main/api/contract.js';
import { FakeServer } from '../test-support/fake-server.js';
import { setValue, testSettings, viewHarness } from '../test-support/view-harness.js';
import { App } from './App.js';

const status = (state: CameraStatus['state'], message = ''): CameraStatus => ({
  state,
  message,
  since: new Date().toISOString(),
  codec: state === 'recording' ? 'h264' : null,
  width: state === 'recording' ? 1920 : null,
  height: state === 'recording' ? 1080 : null,
  fps: state === 'recording' ? 25 : null,
  audio: null,
  lastSegmentAt: null,
});
const cam = (id: string, name: string, state: CameraStatus['state'], demo = false): CameraInfo => ({
  id,
  name,
  url: `rtsp://10.0.0.1/${id}`,
  subUrl: null,
  username: null,
  hasPassword: false,
  enabled: state !== 'disabled',
  demo,
  retentionDays: null,
  status: status(state, state === 'offline' ? 'camera unreachable: check the cable' : 'ok'),
});
let cameras: CameraInfo[];

function makeServer(user: FakeServer['user']) {
  cameras = [cam('gate', 'Gate', 'recording'), cam('yard', 'Yard', 'offline'), cam('demo-campus', 'DEMO Campus', 'connecting', true)];
  return new FakeServer(
    {
      'auth.login': (p) => {
        const { username, password } = p as { username: string; password: string };
        if (password !== 'adminadmin') throw new ApiError('unauthorized', 'wrong username or password');
        return { user: { username, role: 'admin' }, token: 't' };
      },
      'cameras.list': () => cameras,
      'settings.get': () => testSettings,
      'cameras.add': (p) => {
        const { url } = p as { url: string };
        if (!url.startsWith('rtsp://')) throw new ApiError('bad_request', 'cameras.add: url: camera URL must start with rtsp://', 'url');
        return cam('new', 'New', 'connecting');
      },
      'cameras.removeDemo': () => {
        const n = cameras.filter((c) => c.demo).length;
        cameras = cameras.filter((c) => !c.demo);
        return { removed: n };
      },
    },
    user,
  );
}

const h = viewHarness();
const { q, all: qa, until } = h;
function type(el: HTMLElement | null, value: string) {
  act(() => setValue(el as HTMLInputElement, value));
}
function press(key: string, target: EventTarget = document.body) {
  act(() => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, shiftKey: key === '?' }));
  });
}

async function mount(user: FakeServer['user']) {
  h.start(makeServer(user));
  await h.render(<App />, 0);
}

beforeEach(() => {
  location.hash = '#/cameras';
});

describe('console shell', () => {
  it('shows the server’s login message, then the console after a good login', async () => {
    await mount(null);
    await until(() => q('login-form'), 'login form');
    type(q('login-username'), 'admin');
    type(q('login-password'), 'nope');
    await act(async () => q('login-submit')!.click());
    await until(() => q('login-error'), 'login error');
    expect(q('login-error')!.textContent).toBe('wrong username or password');
    type(q('login-password'), 'adminadmin');
    await act(async () => q('login-submit')!.click());
    await until(() => q('nav-cameras'), 'console');
    expect(q('current-user')!.textContent).toContain('admin');
    expect(q('current-user')!.dataset.role).toBe('admin');
  });

  it('lists cameras with state attributes and applies status events', async () => {
    await mount({ username: 'admin', role: 'admin' });
    await until(() => qa('camera-row').length === 3, 'camera rows');
    const rows = qa('camera-row');
    expect(rows.map((r) => [r.dataset.cameraId, r.dataset.state])).toEqual([
      ['gate', 'recording'],
      ['yard', 'offline'],
      ['demo-campus', 'connecting'],
    ]);
    expect(q('health-summary')!.dataset.attention).toBe('1');
    await act(async () => h.server.emit('camera.status', { cameraId: 'yard', status: status('recording') }));
    expect(h.host.querySelector('[data-camera-id="yard"]')!.getAttribute('data-state')).toBe('recording');
    expect(q('health-summary')!.dataset.attention).toBe('0');
    expect(q('connection-status')!.dataset.state).toBe('online');
  });

  it('opens the add form with n, shows the server’s field message, and closes with Esc', async () => {
    await mount({ username: 'admin', role: 'admin' });
    await until(() => qa('camera-row').length === 3, 'camera rows');
    press('n');
    await until(() => q('camera-form'), 'camera form');
    expect(document.activeElement).toBe(q('camera-name'));
    // While typing in the form, view keys do nothing.
    press('n', q('camera-name')!);
    expect(qa('camera-form')).toHaveLength(1);
    type(q('camera-name'), 'Back door');
    type(q('camera-url'), 'ftp://x');
    await act(async () => q('camera-submit')!.click());
    await until(() => q('camera-url-error'), 'url error');
    expect(q('camera-url-error')!.textContent).toBe('camera URL must start with rtsp://');
    press('Escape', q('camera-url')!);
    expect(q('camera-form')).toBeNull();
  });

  it('moves with j/k, opens details with Enter, and removes the demo cameras in one click', async () => {
    await mount({ username: 'admin', role: 'admin' });
    await until(() => qa('camera-row').length === 3, 'camera rows');
    press('j');
    expect(qa('camera-row')[1]!.dataset.active).toBe('true');
    press('Enter', qa('camera-row')[1]!);
    await until(() => q('camera-details'), 'details');
    expect(q('camera-details')!.dataset.cameraId).toBe('yard');
    press('Escape');
    expect(q('camera-details')).toBeNull();
    await act(async () => q('remove-demo')!.click());
    await act(async () => h.server.emit('cameras.changed', { reason: 'config' }));
    await until(() => qa('camera-row').length === 2, 'demo removed');
    expect(q('remove-demo')).toBeNull();
    expect(q('add-demo')).not.toBeNull();
  });

  it('hides admin actions from guards', async () => {
    await mount({ username: 'ann', role: 'guard' });
    await until(() => qa('camera-row').length === 3, 'camera rows');
    expect(q('camera-add')).toBeNull();
    expect(q('remove-demo')).toBeNull();
    press('n');
    expect(q('camera-form')).toBeNull();
  });

  it('toggles the shortcut overlay with ? and navigates with g then s', async () => {
    await mount({ username: 'admin', role: 'admin' });
    await until(() => qa('camera-row').length === 3, 'camera rows');
    press('?');
    await until(() => q('shortcuts-overlay'), 'overlay');
    const scopes = [...q('shortcuts-overlay')!.querySelectorAll('[data-scope]')].map((e) => e.getAttribute('data-scope'));
    expect(scopes).toEqual(['Global', 'Cameras']);
    press('?');
    expect(q('shortcuts-overlay')).toBeNull();
    press('g');
    press('s');
    await until(() => q('view-settings'), 'settings view');
    expect(location.hash).toBe('#/settings');
  });

  it('shows reconnecting while the server is away and reloads after it returns, still logged in', async () => {
    await mount({ username: 'admin', role: 'admin' });
    await until(() => qa('camera-row').length === 3, 'camera rows');
    const listsBefore = h.server.calls.filter((c) => c.method === 'cameras.list').length;
    act(() => h.server.down());
    await until(() => q('connection-status')!.dataset.state === 'reconnecting', 'reconnecting');
    expect(q('connection-banner')).not.toBeNull();
    expect(qa('camera-row')).toHaveLength(3); // last known state stays on screen
    h.server.upAgain();
    await until(() => q('connection-status')!.dataset.state === 'online', 'online again');
    await until(() => h.server.calls.filter((c) => c.method === 'cameras.list').length > listsBefore, 'reload');
    expect(q('login-form')).toBeNull();
    expect(q('connection-banner')).toBeNull();
  });
});
