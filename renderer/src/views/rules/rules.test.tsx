// @vitest-environment happy-dom
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ARMING_MODES,
  Rule,
  type ArmingStatus,
  type DryRunResult,
  type RuleFieldError,
  type RulesMeta,
} from '../../../../main/api/rules.js';
import { FakeServer } from '../../test-support/fake-server.js';
import { testSettings, viewHarness } from '../../test-support/view-harness.js';
import { ArmingBadge } from './ArmingSwitch.js';
import { RulesTab } from './RulesTab.js';

let mode = 'day';
let rules: Rule[];
let validated: unknown[];

const status = (role: 'guard' | 'admin'): ArmingStatus => ({
  mode: DEFAULT_ARMING_MODES.find((m) => m.id === mode)!,
  since: null,
  by: null,
  via: null,
  modes: DEFAULT_ARMING_MODES,
  allowed: role === 'guard' ? ['day', 'night'] : ['day', 'night', 'away'],
  schedule: [],
  next: null,
  mqtt: { enabled: true, setTopic: 'gatehouse/arming/set', stateTopic: 'gatehouse/arming/state' },
});
const meta: RulesMeta = {
  triggers: [],
  actions: [],
  healthConditions: [],
  labels: ['person', 'vehicle'],
  cameras: [{ id: 'yard', name: 'Yard', zones: [{ id: 'z-gate', name: 'Gate' }], onvif: false }],
  modes: DEFAULT_ARMING_MODES,
  notifyUrls: [],
  sensors: [],
  doors: [],
};

beforeEach(() => {
  mode = 'day';
  validated = [];
  rules = [
    Rule.parse({
      id: 'default-door',
      name: 'Door open',
      trigger: { kind: 'sensor', types: ['door'] },
      actions: [{ type: 'alarm', priority: 2 }],
    }),
  ];
});
function makeServer() {
  return new FakeServer({
    'settings.get': () => testSettings,
    'arming.status': (_p, u) => status(u!.role === 'guard' ? 'guard' : 'admin'),
    'arming.set': (p, u) => {
      mode = (p as { mode: string }).mode;
      const s = status(u!.role === 'guard' ? 'guard' : 'admin');
      queueMicrotask(() => h.server.emit('arming.changed', { status: s, change: null }));
      return s;
    },
    'rules.list': () => ({ rules, builtIn: false }),
    'rules.meta': () => meta,
    'rules.validate': (p) => {
      const r = (p as { rule: { name: string; conditions: { zones: string[] } } }).rule;
      validated.push(r);
      const errors: RuleFieldError[] = r.conditions.zones.length
        ? []
        : [{ field: 'conditions.zones', message: 'pick the zone the person must be in' }];
      return { ok: !errors.length, errors, rule: null };
    },
    'rules.add': (p) => {
      const r = Rule.parse({ id: 'person-at-the-gate', ...(p as { rule: object }).rule });
      rules = [r, ...rules];
      return r;
    },
    'rules.dryRun': (): DryRunResult => ({
      ruleId: 'draft',
      from: '2026-11-26T08:00:00Z',
      to: '2026-11-27T08:00:00Z',
      matched: 4,
      alarms: 3,
      coalesced: 1,
      shadowed: 0,
      scanned: 120,
      truncated: false,
      items: [
        {
          time: '2026-11-26T22:00:00Z',
          cameraId: 'yard',
          what: 'person dwelt 5 s in Gate (track 1)',
          type: 'detection.zone',
          title: 'Person in Gate for 5 s: Yard',
          priority: 2,
          outcome: 'raised',
          shadowedBy: null,
          ref: null,
          objectEventId: 9,
        },
      ],
    }),
  });
}
const h = viewHarness({ server: makeServer, providers: ['settings', 'toast'] });
const { render, wait, key, q } = h;

describe('arming from the status bar', () => {
  it('shows the mode; Shift+M and a digit switch it; the badge follows', async () => {
    await render(<ArmingBadge />);
    expect(q('arming-status')!.dataset.mode).toBe('day');
    await key('M', { shiftKey: true });
    expect(q('arming-dialog')).not.toBeNull();
    await key('2');
    await wait(150);
    expect(h.server.calls.find((c) => c.method === 'arming.set')!.params).toEqual({ mode: 'night' });
    expect(q('arming-dialog')).toBeNull();
    expect(q('arming-status')!.dataset.mode).toBe('night');
  });

  it('keeps a guard to the modes marked for guards', async () => {
    h.server.user = { username: 'gina', role: 'guard' };
    await render(<ArmingBadge />);
    await key('M', { shiftKey: true });
    await key('3');
    await wait();
    expect(q('arming-dialog-error')!.textContent).toMatch(/Away: a supervisor switches to it/);
    expect(h.server.calls.some((c) => c.method === 'arming.set')).toBe(false);
  });
});

describe('the rules screen', () => {
  it('adds "person in zone → P2 alarm" with the keyboard: the field error shows beside the zones, the dry run count, the rule in the list', async () => {
    await render(<RulesTab isAdmin />);
    expect(h.host.querySelectorAll('[data-testid="rule-row"]')).toHaveLength(1);
    await key('n');
    const name = q('rule-name') as HTMLInputElement;
    expect(document.activeElement).toBe(name);
    await h.type(name, 'Person at the gate');
    await wait(400);
    expect(q('rule-zones-error')!.textContent).toBe('pick the zone the person must be in');
    await act(async () => (q('rule-zone-z-gate') as HTMLInputElement).click());
    await act(async () => (q('rule-mode-night') as HTMLInputElement).click());
    await wait(400);
    expect(q('rule-zones-error')).toBeNull();
    expect(q('rule-editor')!.dataset.valid).toBe('true');
    await key('Enter', { ctrlKey: true });
    await wait(100);
    expect(q('dryrun-count')!.dataset.alarms).toBe('3');
    expect(q('dryrun-count')!.textContent).toMatch(/3 alarms would have been raised/);
    expect(q('dryrun-list')!.textContent).toMatch(/person dwelt 5 s in Gate/);
    await key('s', { ctrlKey: true });
    await wait(150);
    const add = h.server.calls.find((c) => c.method === 'rules.add')!.params as {
      rule: { name: string; conditions: { zones: string[]; modes: string[] }; actions: { priority: number }[] };
    };
    expect(add.rule).toMatchObject({
      name: 'Person at the gate',
      conditions: { zones: ['z-gate'], modes: ['night'], labels: ['person'] },
      actions: [{ type: 'alarm', priority: 2 }],
    });
    expect(h.host.querySelectorAll('[data-testid="rule-row"]')).toHaveLength(2);
    expect(h.host.querySelector('[data-rule="person-at-the-gate"]')!.textContent).toMatch(/person dwells in Gate · Night.*P2 alarm/);
  });
});
