import { describe, expect, it } from 'vitest';
import type { LiveSink } from '../recording/types.js';
import { LiveHub, MAX_GOP_BYTES } from './hub.js';

function recorder() {
  const got: string[] = [];
  const sink: LiveSink = {
    init: (codec) => got.push(`init:${codec}`),
    fragment: (data, key) => got.push(`${key ? 'K' : 'f'}:${data.toString()}`),
    close: (reason) => got.push(`close:${reason}`),
  };
  return { got, sink };
}

const b = (s: string) => Buffer.from(s);

describe('LiveHub', () => {
  it('sends a new viewer the init segment and the current GOP at once, then live fragments', () => {
    const hub = new LiveHub('cam/main');
    hub.setInit('avc1.640028', b('init'));
    hub.publish(b('k0'), true);
    hub.publish(b('p0'), false);
    hub.publish(b('k1'), true);
    hub.publish(b('p1'), false);
    hub.publish(b('p2'), false);
    const v = recorder();
    hub.subscribe(v.sink);
    expect(v.got).toEqual(['init:avc1.640028', 'K:k1', 'f:p1', 'f:p2']);
    hub.publish(b('p3'), false);
    expect(v.got.at(-1)).toBe('f:p3');
  });

  it('waits for a key frame when there is no GOP yet (stream joined mid-GOP) or after a new init', () => {
    const hub = new LiveHub('cam/main');
    hub.setInit('avc1', b('init'));
    hub.publish(b('p0'), false);
    const v = recorder();
    hub.subscribe(v.sink);
    expect(v.got).toEqual(['init:avc1']);
    hub.publish(b('p1'), false);
    hub.publish(b('k1'), true);
    expect(v.got).toEqual(['init:avc1', 'K:k1']);
    hub.setInit('avc1', b('init2'));
    hub.publish(b('p2'), false);
    hub.publish(b('k2'), true);
    expect(v.got).toEqual(['init:avc1', 'K:k1', 'init:avc1', 'K:k2']);
  });

  it('does not send a truncated GOP: a viewer then starts at the next key frame', () => {
    const hub = new LiveHub('cam/main');
    hub.setInit('avc1', b('init'));
    hub.publish(b('k0'), true);
    hub.publish(Buffer.alloc(MAX_GOP_BYTES), false); // too big to keep
    const v = recorder();
    hub.subscribe(v.sink);
    expect(v.got).toEqual(['init:avc1']);
    hub.publish(b('p1'), false);
    hub.publish(b('k1'), true);
    expect(v.got).toEqual(['init:avc1', 'K:k1']);
    // the snapshot still gets what was kept
    expect(hub.currentGop()?.fragments.map(String)).toEqual(['k1']);
  });

  it('a viewer that throws during the GOP burst is detached without disturbing others', () => {
    const hub = new LiveHub('cam/main');
    hub.setInit('avc1', b('init'));
    hub.publish(b('k0'), true);
    const good = recorder();
    hub.subscribe(good.sink);
    const bad: LiveSink = {
      init: () => {},
      fragment: () => {
        throw new Error('boom');
      },
      close: () => {},
    };
    hub.subscribe(bad);
    expect(hub.viewers).toBe(1);
    hub.publish(b('p1'), false);
    expect(good.got).toEqual(['init:avc1', 'K:k0', 'f:p1']);
  });
});
