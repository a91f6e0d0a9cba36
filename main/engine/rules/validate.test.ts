import { describe, expect, it } from 'vitest';
import { DEFAULT_ARMING_MODES } from '../../api/rules.js';
import { validateRule, type ValidationContext } from './validate.js';

const ctx: ValidationContext = {
  cameras: [
    { id: 'yard', name: 'Yard', zones: [{ id: 'z-gate', name: 'Gate' }], ptz: false, relayOutputs: 0 },
    { id: 'dock', name: 'Dock', zones: [{ id: 'z-bay', name: 'Loading bay' }], ptz: true, relayOutputs: 2 },
  ],
  modes: DEFAULT_ARMING_MODES,
  notifyUrls: ['http://127.0.0.1:9000/pager'],
};
const base = {
  id: 'r',
  name: 'Person at the gate',
  trigger: { kind: 'object', phase: 'dwell' },
  conditions: { cameraIds: ['Yard'], zones: ['Gate'], labels: ['person'] },
  actions: [{ type: 'alarm', priority: 2 }],
};
const errs = (r: unknown) => validateRule(r, ctx).errors;

describe('rule validation', () => {
  it('accepts a good rule and stores names as ids', () => {
    const v = validateRule({ ...base, conditions: { ...base.conditions, modes: ['Night', 'away'] } }, ctx);
    expect(v.errors).toEqual([]);
    expect(v.rule!.conditions).toMatchObject({ cameraIds: ['yard'], zones: ['z-gate'], modes: ['night', 'away'] });
  });

  it('names the field of an unknown trigger, an unknown action, and missing parameters', () => {
    expect(errs({ ...base, trigger: { kind: 'smoke' } })).toEqual([
      { field: 'trigger.kind', message: expect.stringMatching(/unknown trigger "smoke"; use one of object, motion/) },
    ]);
    expect(errs({ ...base, trigger: undefined })[0]).toMatchObject({ field: 'trigger' });
    expect(errs({ ...base, actions: [{ type: 'sms' }] })).toEqual([
      { field: 'actions[0].type', message: expect.stringMatching(/unknown action "sms"/) },
    ]);
    expect(errs({ ...base, actions: [{ type: 'mqtt' }] })).toEqual([{ field: 'actions[0].topic', message: 'is required' }]);
    expect(errs({ ...base, actions: [{ type: 'relay', cameraId: 'dock' }] })).toEqual([
      { field: 'actions[0].token', message: 'is required' },
    ]);
    expect(errs({ ...base, actions: [] })[0]).toMatchObject({ field: 'actions', message: expect.stringMatching(/at least one action/) });
    expect(errs({ ...base, name: '' })[0]).toMatchObject({ field: 'name' });
    expect(errs({ ...base, colour: 'red' })[0]).toMatchObject({ field: '', message: expect.stringMatching(/unknown field\(s\): colour/) });
  });

  it('a zone that is not on that camera, an unknown camera, an unknown mode', () => {
    expect(errs({ ...base, conditions: { cameraIds: ['Yard'], zones: ['Loading bay'] } })).toEqual([
      { field: 'conditions.zones[0]', message: 'no zone "Loading bay" on Yard (zones there: Gate)' },
    ]);
    expect(errs({ ...base, conditions: { zones: ['Roof'] } })).toEqual([
      { field: 'conditions.zones[0]', message: expect.stringMatching(/no zone "Roof" on any camera \(zones there: Gate, Loading bay\)/) },
    ]);
    expect(errs({ ...base, conditions: { cameraIds: ['Lobby'] } })).toEqual([
      { field: 'conditions.cameraIds[0]', message: 'no camera "Lobby" (cameras: Yard, Dock)' },
    ]);
    expect(errs({ ...base, conditions: { modes: ['Weekend'] } })).toEqual([
      { field: 'conditions.modes[0]', message: 'no arming mode "Weekend" (modes: Day, Night, Away)' },
    ]);
  });

  it('a bad schedule, conditions that do not fit the trigger, actions that cannot work', () => {
    expect(errs({ ...base, conditions: { schedule: { days: [1], from: '25:00', to: '06:00' } } })).toEqual([
      { field: 'conditions.schedule.from', message: 'time of day must be HH:MM, 24-hour' },
    ]);
    expect(errs({ ...base, conditions: { schedule: { days: [], from: '22:00', to: '06:00' } } })[0]).toMatchObject({
      field: 'conditions.schedule.days',
    });
    expect(errs({ ...base, trigger: { kind: 'panic' }, conditions: { labels: ['person'] } })).toEqual([
      { field: 'conditions.labels', message: 'labels are for object triggers' },
    ]);
    expect(errs({ ...base, trigger: { kind: 'object', phase: 'seen' }, conditions: { zones: ['Gate'] } })[0]).toMatchObject({
      field: 'conditions.zones',
    });
    expect(errs({ ...base, trigger: { kind: 'object', phase: 'enter', dwellSeconds: 10 } })[0]).toMatchObject({
      field: 'trigger.dwellSeconds',
    });
    expect(errs({ ...base, actions: [{ type: 'webhook', url: 'http://elsewhere/x' }] })).toEqual([
      { field: 'actions[0].url', message: expect.stringMatching(/not one of the notice URLs/) },
    ]);
    expect(errs({ ...base, actions: [{ type: 'ptz', cameraId: 'yard', preset: '1' }] })).toEqual([
      { field: 'actions[0].cameraId', message: expect.stringMatching(/has no PTZ/) },
    ]);
    expect(
      errs({
        ...base,
        actions: [
          { type: 'ptz', cameraId: 'Dock', preset: '1' },
          { type: 'relay', cameraId: 'dock', token: 'r1', seconds: 5 },
        ],
      }),
    ).toEqual([]);
    expect(errs({ ...base, actions: [{ type: 'alarm' }, { type: 'alarm' }] })[0]).toMatchObject({ field: 'actions' });
    expect(errs({ ...base, actions: [{ type: 'ignore' }, { type: 'log' }] })[0]).toMatchObject({ field: 'actions' });
    expect(errs('nope')[0]).toMatchObject({ field: '' });
  });
});
