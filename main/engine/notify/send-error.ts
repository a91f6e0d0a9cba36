/** Why a notice could not be sent, and whether another attempt can help. */
export class SendError extends Error {
  constructor(
    message: string,
    /** retry: try again later; permanent: it will not work as configured; gone: the push subscription no longer exists. */
    readonly kind: 'retry' | 'permanent' | 'gone' = 'retry',
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/** Any error as a SendError (unknown ones are worth another try). */
export function asSendError(err: unknown): SendError {
  if (err instanceof SendError) return err;
  return new SendError((err as Error)?.message ?? String(err), 'retry');
}
