/**
 * Serialises appendBuffer/remove on one SourceBuffer: MSE allows one
 * operation at a time, and fragments arrive faster than that on a busy
 * machine. A queue that grows past its limit (the decoder can't keep up)
 * is dropped and reported, and the player resynchronises at a key frame.
 */
export interface QueueOptions {
  /** Called after each operation completes (the player checks the live edge). */
  onIdle?: () => void;
  /** An append failed (decode error, quota) or the queue overflowed. */
  onError?: (err: Error) => void;
  /** Most media bytes waiting to be appended before the queue gives up. */
  maxQueuedBytes?: number;
}

type Op = { kind: 'append'; data: BufferSource; bytes: number; offset?: number } | { kind: 'remove'; start: number; end: number };

export class SourceBufferQueue {
  private ops: Op[] = [];
  private queuedBytes = 0;
  private closed = false;
  private readonly maxQueuedBytes: number;

  constructor(
    readonly sb: SourceBuffer,
    private readonly o: QueueOptions = {},
  ) {
    this.maxQueuedBytes = o.maxQueuedBytes ?? 8 * 1024 * 1024;
    sb.addEventListener('updateend', this.onUpdateEnd);
    sb.addEventListener('error', this.onSbError);
  }

  get pending(): number {
    return this.ops.length;
  }

  get busy(): boolean {
    return this.sb.updating || this.ops.length > 0;
  }

  /** Append; with `offset`, set the SourceBuffer's timestampOffset first (recorded playback). */
  append(data: BufferSource, offset?: number): void {
    if (this.closed) return;
    const bytes = data.byteLength;
    if (this.queuedBytes + bytes > this.maxQueuedBytes) {
      this.ops = this.ops.filter((o) => o.kind !== 'append');
      this.queuedBytes = 0;
      this.o.onError?.(new Error('the video decoder fell behind; resynchronising'));
      return;
    }
    this.ops.push(offset === undefined ? { kind: 'append', data, bytes } : { kind: 'append', data, bytes, offset });
    this.queuedBytes += bytes;
    this.pump();
  }

  remove(start: number, end: number): void {
    if (this.closed || end <= start) return;
    if (this.ops.some((o) => o.kind === 'remove')) return;
    this.ops.push({ kind: 'remove', start, end });
    this.pump();
  }

  close(): void {
    this.closed = true;
    this.ops = [];
    this.queuedBytes = 0;
    this.sb.removeEventListener('updateend', this.onUpdateEnd);
    this.sb.removeEventListener('error', this.onSbError);
  }

  private onUpdateEnd = (): void => {
    if (this.closed) return;
    this.pump();
    if (!this.sb.updating && this.ops.length === 0) this.o.onIdle?.();
  };

  private onSbError = (): void => {
    if (this.closed) return;
    this.o.onError?.(new Error('the browser could not decode the video stream'));
  };

  private pump(): void {
    if (this.closed || this.sb.updating) return;
    const op = this.ops.shift();
    if (!op) return;
    try {
      if (op.kind === 'append') {
        this.queuedBytes -= op.bytes;
        if (op.offset !== undefined) this.sb.timestampOffset = op.offset;
        this.sb.appendBuffer(op.data);
      } else {
        this.sb.remove(op.start, op.end);
      }
    } catch (err) {
      const e = err as DOMException;
      if (e?.name === 'QuotaExceededError') {
        this.o.onError?.(new Error('the video buffer is full; resynchronising'));
      } else {
        this.o.onError?.(new Error(`the browser refused the video data (${e?.name ?? 'error'}: ${e?.message ?? String(err)})`));
      }
    }
  }
}

/** Buffered range that holds `t` (or the first one after it), as [start, end], or null. */
export function rangeAround(b: TimeRanges, t: number): [number, number] | null {
  for (let i = 0; i < b.length; i++) {
    const s = b.start(i);
    const e = b.end(i);
    if (t < e) return [s, e];
  }
  if (b.length > 0) return [b.start(b.length - 1), b.end(b.length - 1)];
  return null;
}
