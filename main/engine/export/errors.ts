/**
 * What can go wrong in an export, as codes a caller (the job queue, the CLI,
 * the console) can act on, each with a message that says what to do.
 */
export type ExportErrorCode =
  /** from ≥ to, or a range the request does not allow. */
  | 'bad_range'
  /** No frame of a camera was recorded in the range. */
  | 'no_footage'
  /** The request itself is wrong (no cameras, a bad polygon, a bad table name...). */
  | 'bad_request'
  /** The target exists already. */
  | 'exists'
  /** Not enough free space for the estimated size (checked before copying). */
  | 'no_space'
  /** The AbortSignal fired. */
  | 'aborted'
  /** ffmpeg is needed (re-encode) and missing, or it failed. */
  | 'ffmpeg'
  /** Reading or writing failed (disk full during the export, a file vanished...). */
  | 'io';

export class ExportError extends Error {
  constructor(
    readonly code: ExportErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ExportError';
  }
}

/** Throw ExportError('aborted') when the signal has fired. */
export function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ExportError('aborted', 'the export was cancelled');
}

/** Wrap a low-level failure (ENOSPC, EIO...) into an ExportError with a clear message. */
export function ioError(err: unknown, what: string): ExportError {
  if (err instanceof ExportError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC') return new ExportError('no_space', `the disk filled up while ${what}; free some space and export again (nothing was kept)`, { cause: e.message });
  return new ExportError('io', `${what} failed: ${e?.message ?? String(err)}`, { cause: e?.code });
}
