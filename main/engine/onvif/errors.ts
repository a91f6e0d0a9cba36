import { ApiError } from '../../api/contract.js';

/**
 * What went wrong talking to a device. Each kind gets its own message that
 * says what to check, and maps to an API error for callers.
 */
export type OnvifErrorKind =
  | 'auth' // wrong username/password, or the clock is too far off for the digest
  | 'fault' // the device answered with a SOAP fault
  | 'garbage' // the device answered, but not with SOAP XML
  | 'timeout' // connected (or not) but no answer in time
  | 'unreachable' // refused, no route, unknown host
  | 'http' // an HTTP error without a SOAP fault (wrong path)
  | 'unsupported'; // the device lacks the service or capability

export class OnvifError extends Error {
  constructor(
    readonly kind: OnvifErrorKind,
    message: string,
    /** For faults: the fault code/subcode, e.g. "ter:NotAuthorized". */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'OnvifError';
  }
}

/** Turn anything thrown while talking to a device into an ApiError with a clear message. */
export function toApiError(err: unknown, what = 'the camera'): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof OnvifError) {
    switch (err.kind) {
      case 'auth':
        return new ApiError('bad_request', err.message, 'password');
      case 'garbage':
      case 'http':
        return new ApiError('bad_request', err.message, 'xaddr');
      case 'unsupported':
        return new ApiError('conflict', err.message);
      case 'timeout':
      case 'unreachable':
      case 'fault':
        return new ApiError('unavailable', err.message);
    }
  }
  return new ApiError('internal', `talking to ${what} failed: ${(err as Error)?.message ?? String(err)}`);
}
