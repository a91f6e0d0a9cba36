// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alarm } from '../../../../main/api/alarms.js';
import type { ApiClient } from '../../api/client.js';
import { ClientProvider } from '../../api/context.js';
import { FakeServer } from '../../test-support/fake-server.js';
import { AlarmFaces } from './AlarmFaces.js';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
let root: Root;
let host: HTMLElement;
let client: ApiClient;
let server: FakeServer;

beforeEach(() => {
  server = new FakeServer(
    {
      'faces.alarmFaces': () => ({
        seen: { dataUrl: 'data:image/jpeg;base64,SEEN', name: null, time: '2026-12-06T10:00:01Z' },
        holder: { dataUrl: 'data:image/jpeg;base64,HOLDER', name: 'Ann', badge: '42' },
      }),
    },
    { username: 'gina', role: 'guard' },
  );
  client = server.client();
  client.start();
  host = document.createElement('div');
  document.body.appendChild(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  client.stop();
  host.remove();
});

const alarm = (type: string, details: Record<string, unknown> = {}) => ({ id: 9, type, details }) as unknown as Alarm;
const render = async (a: Alarm) => {
  await act(async () => root.render(<ClientProvider client={client}><AlarmFaces alarm={a} /></ClientProvider>));
  await act(async () => void (await new Promise((r) => setTimeout(r, 80))));
};

describe('faces on an alarm', () => {
  it('a badge mismatch shows the holder and the face seen side by side (a guard may see them)', async () => {
    await render(alarm('access.mismatch', { reason: 'not-holder', badge: '42', holder: { name: 'Ann', distance: 0.91 } }));
    const holder = host.querySelector('[data-testid="alarm-face-holder"]')!;
    const seen = host.querySelector('[data-testid="alarm-face-seen"]')!;
    expect(holder.querySelector('img')!.getAttribute('src')).toBe('data:image/jpeg;base64,HOLDER');
    expect(holder.textContent).toMatch(/Badge holder Ann · badge 42/);
    expect(seen.querySelector('img')!.getAttribute('src')).toBe('data:image/jpeg;base64,SEEN');
    expect(seen.textContent).toMatch(/distance to holder 0.91/);
    expect(server.calls.find((c) => c.method === 'faces.alarmFaces')!.params).toEqual({ alarmId: 9 });
  });

  it('other alarms show nothing and ask nothing', async () => {
    await render(alarm('sensor.door'));
    expect(host.querySelector('[data-testid="alarm-faces"]')).toBeNull();
    expect(server.calls.some((c) => c.method === 'faces.alarmFaces')).toBe(false);
  });
});
