/**
 * Index writes that cannot be made now, kept in memory in order and made
 * later (docs/storage.md S9). Two things stop a write that must not be lost:
 *
 * - the disk is full (SQLite needs a little room even to commit), and
 * - another process (a CLI command, `index rebuild`) has held the write lock
 *   past the busy timeout.
 *
 * The recorder's timeline and the engine's own alarm sources both queue here.
 * A busy index is retried every second. A full disk is retried every second
 * too where `retryFullDisk` is set; otherwise when the owner calls `flush()`
 * (the recorder, after the storage keeper has freed space). While any write
 * waits, later ones queue behind it: order matters (a gap before the segment
 * that closes it, an alarm before its update).
 */
import type { Logger } from '../log.js';

/**
 * SQLite could not get the write lock within the busy timeout (another
 * process held it for over 5 s), or the connection's own lock conflicts.
 */
export function isBusy(err: unknown): boolean {
  const e = err as { code?: string } | null;
  return typeof e?.code === 'string' && (e.code.startsWith('SQLITE_BUSY') || e.code.startsWith('SQLITE_LOCKED'));
}

/** SQLite could not write for want of space (or the file system refused the write). */
export function isDiskFull(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  const code = e?.code ?? '';
  return code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || /database or disk is full|ENOSPC/i.test(e?.message ?? '');
}

export interface WriteQueueOptions {
  log: Logger;
  /** What waits, for the log: "index writes", "alarm source events". */
  what: string;
  /** Retry a full disk every second too (true), or only on flush() (false: the owner knows when space is freed). */
  retryFullDisk: boolean;
  /** At most this many wait; beyond it the oldest is dropped, with an error in the log. */
  max?: number;
  /** False once the connection is closed: nothing is tried then. */
  isOpen?: () => boolean;
  retryMs?: number;
}

interface Waiting {
  op: () => unknown;
  label: string;
}

export class WriteQueue {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Why writes wait, once logged; cleared (with an info line) when the queue empties. */
  private warned: 'busy' | 'full' | null = null;
  private readonly retryMs: number;

  constructor(private readonly o: WriteQueueOptions) {
    this.retryMs = o.retryMs ?? 1000;
  }

  get size(): number {
    return this.waiting.length;
  }

  /**
   * Make the write now, or queue it (and return `fallback`) when the index is
   * busy or the disk is full, or earlier writes still wait. Any other error is
   * the caller's.
   */
  run<T>(op: () => T, fallback: T, label = ''): T {
    if (this.waiting.length && this.flush() > 0) {
      this.enqueue(op, label);
      return fallback;
    }
    try {
      return op();
    } catch (err) {
      if (!isBusy(err) && !isDiskFull(err)) throw err;
      this.enqueue(op, label);
      this.blocked(err);
      return fallback;
    }
  }

  /**
   * Make the waiting writes, in order; returns how many still wait. A write
   * that fails for another reason than busy or full is logged and dropped
   * (never retried forever), and the next one is tried.
   */
  flush(): number {
    while (this.waiting.length) {
      if (this.o.isOpen && !this.o.isOpen()) return this.waiting.length;
      const head = this.waiting[0]!;
      try {
        head.op();
      } catch (err) {
        if (isBusy(err) || isDiskFull(err)) {
          this.blocked(err);
          return this.waiting.length;
        }
        this.o.log.error(`a waiting write failed and is dropped${head.label ? `: ${head.label}` : ''}`, err);
      }
      this.waiting.shift();
    }
    if (this.warned) this.o.log.info(`the index is writable again: the ${this.o.what} that waited for it are written`);
    this.warned = null;
    return 0;
  }

  /**
   * Stop retrying (the owner stops): one last try first. Returns what never
   * made it (their labels) and why, for the owner to log at its own level.
   */
  dispose(): { left: number; labels: string[]; why: string } {
    this.clearTimer();
    const left = this.flush();
    this.clearTimer();
    const out = { left, labels: this.waiting.map((w) => w.label).filter(Boolean), why: this.warned === 'full' ? 'the disk stayed full' : 'the index stayed busy' };
    this.waiting = [];
    return out;
  }

  private enqueue(op: () => unknown, label: string): void {
    if (this.o.max && this.waiting.length >= this.o.max) {
      const dropped = this.waiting.shift()!;
      this.o.log.error(`more than ${this.o.max} ${this.o.what} wait: the oldest is dropped${dropped.label ? `: ${dropped.label}` : ''}`);
    }
    this.waiting.push({ op, label });
  }

  /** A write found the index busy or the disk full: say so once, and retry on a timer where that applies. */
  private blocked(err: unknown): void {
    const why = isBusy(err) ? 'busy' : 'full';
    if (this.warned !== why) {
      this.o.log.warn(
        why === 'busy'
          ? `the index is busy (another process has held its write lock for over 5 s: ${(err as Error).message}); ${this.o.what} wait and are retried every second`
          : `the disk is full: ${this.o.what} wait in memory and are written as soon as there is room`,
      );
      this.warned = why;
    }
    if (why === 'busy' || this.o.retryFullDisk) this.retrySoon();
  }

  private retrySoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.retryMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
