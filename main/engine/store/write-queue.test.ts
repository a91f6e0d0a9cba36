import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../log.js';
import { isBusy, isDiskFull, WriteQueue } from './write-queue.js';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

function recorder() {
  const lines: string[] = [];
  const log: Logger = {
    debug: () => {},
    info: (m) => lines.push(`INFO ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
  };
  return { log, lines };
}

/** A fake index: fails with `failure` while it is set; records the writes that went through, in order. */
function index() {
  const made: string[] = [];
  const state = { failure: null as (() => Error) | null };
  const write = (name: string) => () => {
    if (state.failure) throw state.failure();
    made.push(name);
    return name;
  };
  return { made, state, write };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('WriteQueue', () => {
  it('makes a write at once when it can, and returns its result', () => {
    const { log, lines } = recorder();
    const q = new WriteQueue({ log, what: 'rows', retryFullDisk: false });
    const ix = index();
    expect(q.run(ix.write('a'), 'fallback')).toBe('a');
    expect(q.size).toBe(0);
    expect(lines).toEqual([]);
  });

  it('a busy index: the write waits, later writes queue behind it, all are made in order every second until it is free', () => {
    const { log, lines } = recorder();
    const q = new WriteQueue({ log, what: 'rows', retryFullDisk: false });
    const ix = index();
    ix.state.failure = busy;
    expect(q.run(ix.write('gap'), 'fallback')).toBe('fallback');
    expect(q.run(ix.write('segment'), 'fallback')).toBe('fallback');
    expect(q.size).toBe(2);
    vi.advanceTimersByTime(3000);
    expect(ix.made).toEqual([]);
    ix.state.failure = null;
    vi.advanceTimersByTime(1000);
    expect(ix.made).toEqual(['gap', 'segment']);
    expect(q.size).toBe(0);
    // said once when it started waiting, once when it was done
    expect(lines.filter((l) => l.startsWith('WARN'))).toHaveLength(1);
    expect(lines[0]).toMatch(/^WARN the index is busy .*rows wait and are retried every second/);
    expect(lines.at(-1)).toMatch(/^INFO the index is writable again/);
  });

  it('a full disk waits for flush() where the owner knows when space is freed (no timer)', () => {
    const { log, lines } = recorder();
    const q = new WriteQueue({ log, what: 'rows', retryFullDisk: false });
    const ix = index();
    ix.state.failure = full;
    q.run(ix.write('a'), null);
    ix.state.failure = null;
    vi.advanceTimersByTime(10_000);
    expect(ix.made).toEqual([]);
    expect(q.flush()).toBe(0);
    expect(ix.made).toEqual(['a']);
    expect(lines[0]).toMatch(/^WARN the disk is full: rows wait in memory/);
  });

  it('a full disk is retried every second where retryFullDisk is set', () => {
    const { log } = recorder();
    const q = new WriteQueue({ log, what: 'events', retryFullDisk: true });
    const ix = index();
    ix.state.failure = full;
    q.run(ix.write('a'), null);
    ix.state.failure = null;
    vi.advanceTimersByTime(1000);
    expect(ix.made).toEqual(['a']);
  });

  it('a waiting write that fails for another reason is logged and dropped; the next one is made', () => {
    const { log, lines } = recorder();
    const q = new WriteQueue({ log, what: 'rows', retryFullDisk: false });
    const ix = index();
    ix.state.failure = busy;
    q.run(() => {
      if (ix.state.failure) throw ix.state.failure();
      throw new Error('constraint failed');
    }, null, 'the bad one');
    q.run(ix.write('good'), null);
    ix.state.failure = null;
    vi.advanceTimersByTime(1000);
    expect(ix.made).toEqual(['good']);
    expect(lines.some((l) => l.startsWith('ERROR a waiting write failed and is dropped: the bad one'))).toBe(true);
  });

  it('any other error of a write made at once is the caller\'s', () => {
    const { log } = recorder();
    const q = new WriteQueue({ log, what: 'rows', retryFullDisk: false });
    expect(() => q.run(() => {
      throw new Error('no such table');
    }, null)).toThrow('no such table');
    expect(q.size).toBe(0);
  });

  it('is bounded: past max the oldest is dropped, with an error', () => {
    const { log, lines } = recorder();
    const q = new WriteQueue({ log, what: 'events', retryFullDisk: true, max: 2 });
    const ix = index();
    ix.state.failure = full;
    for (const n of ['1', '2', '3']) q.run(ix.write(n), null, n);
    expect(q.size).toBe(2);
    expect(lines.some((l) => l === 'ERROR more than 2 events wait: the oldest is dropped: 1')).toBe(true);
    ix.state.failure = null;
    vi.advanceTimersByTime(1000);
    expect(ix.made).toEqual(['2', '3']);
  });

  it('dispose() tries once more, stops the timer and says what never made it', () => {
    const { log } = recorder();
    const q = new WriteQueue({ log, what: 'rows', retryFullDisk: false });
    const ix = index();
    ix.state.failure = busy;
    q.run(ix.write('a'), null, 'a');
    expect(q.dispose()).toEqual({ left: 1, labels: ['a'], why: 'the index stayed busy' });
    ix.state.failure = null;
    vi.advanceTimersByTime(5000);
    expect(ix.made).toEqual([]);
    expect(q.size).toBe(0);

    const q2 = new WriteQueue({ log, what: 'rows', retryFullDisk: false });
    ix.state.failure = busy;
    q2.run(ix.write('b'), null);
    ix.state.failure = null;
    expect(q2.dispose().left).toBe(0);
    expect(ix.made).toEqual(['b']);
  });

  it('tries nothing once the connection is closed', () => {
    const { log } = recorder();
    let open = true;
    const q = new WriteQueue({ log, what: 'rows', retryFullDisk: false, isOpen: () => open });
    const ix = index();
    ix.state.failure = busy;
    q.run(ix.write('a'), null);
    ix.state.failure = null;
    open = false;
    vi.advanceTimersByTime(1000);
    expect(ix.made).toEqual([]);
    expect(q.flush()).toBe(1);
  });

  it('classifies SQLite errors', () => {
    expect(isBusy(busy())).toBe(true);
    expect(isBusy({ code: 'SQLITE_LOCKED_SHAREDCACHE' })).toBe(true);
    expect(isBusy(full())).toBe(false);
    expect(isDiskFull(full())).toBe(true);
    expect(isDiskFull({ code: 'SQLITE_IOERR_WRITE' })).toBe(true);
    expect(isDiskFull(new Error('ENOSPC: no space left on device'))).toBe(true);
    expect(isDiskFull(null)).toBe(false);
  });
});
