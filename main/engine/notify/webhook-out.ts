/** A contact's webhook: POST the notice as JSON; a receiver that hangs is cut off after WEBHOOK_TIMEOUT_MS. */
import { SendError } from './send-error.js';

export const WEBHOOK_TIMEOUT_MS = 5000;

export async function postWebhook(url: string, body: unknown, o: { fetchImpl?: typeof fetch; timeoutMs?: number } = {}): Promise<number> {
  const timeout = o.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  let res: Response;
  try {
    res = await (o.fetchImpl ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'gatehouse' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeout),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError') throw new SendError(`the webhook did not answer within ${timeout / 1000} s`, 'retry');
    throw new SendError(`the webhook could not be reached: ${(e.cause as Error | undefined)?.message ?? e.message}`, 'retry');
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok)
    throw new SendError(
      `the webhook answered HTTP ${res.status}`,
      res.status >= 500 || res.status === 429 || res.status === 408 ? 'retry' : 'permanent',
      res.status,
    );
  return res.status;
}

/** What a log or the notices list may show of a webhook URL: scheme, host and port (the path may hold a secret). */
export function webhookTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'webhook';
  }
}
