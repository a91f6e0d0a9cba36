import { describe, expect, it } from 'vitest';
import { Rule } from '../../../../main/api/rules.js';
import { errorFor, newAction, newDraft, splitList, thenText, toRequest, toggle, whenText, withTriggerKind } from './rule-form.js';

describe('the rule editor state', () => {
  it('starts with the common case: a person dwelling in a zone raises a P2 alarm', () => {
    const d = newDraft();
    expect(d).toMatchObject({
      trigger: { kind: 'object', phase: 'dwell' },
      conditions: { labels: ['person'] },
      actions: [{ type: 'alarm', priority: 2 }],
    });
    expect(toRequest(d)).not.toHaveProperty('id');
    expect(Rule.safeParse({ ...toRequest(d), id: 'x', name: 'x' }).success).toBe(true);
  });

  it('drops the conditions that do not fit a new trigger, and gives each trigger its fields', () => {
    const d = newDraft();
    d.conditions.zones = ['z1'];
    d.conditions.minCount = 2;
    const s = withTriggerKind(d, 'sensor');
    expect(s.trigger).toEqual({ kind: 'sensor', types: [], states: [] });
    expect(s.conditions).toMatchObject({ labels: [], zones: ['z1'] });
    expect(s.conditions.minCount).toBeUndefined();
    expect(withTriggerKind(d, 'panic').conditions.zones).toEqual([]);
    expect(withTriggerKind(d, 'access').trigger).toEqual({ kind: 'access', result: 'denied', doors: [] });
    expect(newAction('mqtt')).toMatchObject({ type: 'mqtt', topic: expect.any(String) });
  });

  it('shows each server error at its field (and list errors at the list)', () => {
    const errs = [
      { field: 'conditions.zones[1]', message: 'no zone "Roof" on Yard' },
      { field: 'actions[0].topic', message: 'is required' },
    ];
    expect(errorFor(errs, 'conditions.zones')).toBe('no zone "Roof" on Yard');
    expect(errorFor(errs, 'actions[0].topic')).toBe('is required');
    expect(errorFor(errs, 'actions[0]')).toBe('is required');
    expect(errorFor(errs, 'name')).toBeNull();
  });

  it('summarises rules for the list', () => {
    const r = Rule.parse({
      id: 'r',
      name: 'r',
      trigger: { kind: 'object', phase: 'dwell', dwellSeconds: 30 },
      conditions: { labels: ['person'], zones: ['z1'], cameraIds: ['yard'], modes: ['night'] },
      actions: [{ type: 'alarm', priority: 2 }, { type: 'bookmark' }],
    });
    expect(whenText(r, { camera: () => 'Yard', zone: () => 'Gate', mode: () => 'Night' })).toBe(
      'person dwells 30 s in Gate (Yard) · Night',
    );
    expect(thenText(r)).toBe('P2 alarm, bookmark');
    expect(splitList(' a, b,,c ')).toEqual(['a', 'b', 'c']);
    expect(toggle(['a'], 'b', true)).toEqual(['a', 'b']);
    expect(toggle(['a', 'b'], 'a', false)).toEqual(['b']);
  });
});
