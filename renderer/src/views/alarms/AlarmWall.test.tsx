// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alarm } from '../../../../main/api/alarms.js';
import type { ApiClient } from '../../api/client.js';
import { ClientProvider } from '../../api/context.js';
import { FakeServer } from '../../test-support/fake-server.js';
import { AlarmWall } from './AlarmWall.js';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const alarm = (id: number, priority: Alarm['priority'], title: string, over: Partial<Alarm> = {}): Alarm => ({
  id,
  type: 'sensor.door',
  title,
  priority,
  state: 'new',
  source: 's',
  sourceKey: `k${id}`,
  cameraIds: [],
  zone: null,
  ruleId: null,
  createdAt: new Date(Date.now() - id * 1000).toISOString(),
  updatedAt: new Date().toISOString(),
  lastAt: new Date().toISOString(),
  count: 1,
  ackDueAt: null,
  escalation: 0,
  claimedBy: null,
  resolvedAt: null,
  closedAt: null,
  closeReason: null,
  sop: '',
  media: [],
  details: {},
  ...over,
});

let root: Root;
let host: HTMLElement;
let client: ApiClient;
let server: FakeServer;

beforeEach(async () => {
  server = new FakeServer({ 'alarms.queue': () => [alarm(1, 3, 'Motion: yard'), alarm(2, 2, 'Door open: east')] });
  client = server.client();
  client.start();
  host = document.createElement('div');
  document.body.appendChild(host);
  root = createRoot(host);
  await act(async () => {
    root.render(
      <ClientProvider client={client}>
        <AlarmWall />
      </ClientProvider>,
    );
    await new Promise((r) => setTimeout(r, 50));
  });
});
afterEach(() => {
  act(() => root.unmount());
  client.stop();
  host.remove();
});

const titles = () => [...host.querySelectorAll('[data-testid="alarm-wall-row"] .aw-title')].map((e) => e.textContent);

describe('alarm wall', () => {
  it('shows the open alarms by priority and follows pushed events', async () => {
    expect(titles()).toEqual(['Door open: east', 'Motion: yard']);
    await act(async () => {
      server.emit('alarm.raised', alarm(3, 1, 'PANIC'));
      await new Promise((r) => setTimeout(r, 20));
    });
    expect(titles()).toEqual(['PANIC', 'Door open: east', 'Motion: yard']);
    await act(async () => {
      server.emit('alarm.changed', { alarm: alarm(2, 2, 'Door open: east', { state: 'closed', updatedAt: new Date(Date.now() + 1000).toISOString() }), entry: null });
      server.emit('alarm.changed', { alarm: alarm(1, 3, 'Motion: yard', { count: 5, updatedAt: new Date(Date.now() + 1000).toISOString() }), entry: null });
      await new Promise((r) => setTimeout(r, 20));
    });
    expect(titles()).toEqual(['PANIC', 'Motion: yard ×5']);
    expect(host.querySelector('.aw-new')!.textContent).toBe('2 waiting');
  });
});
