/**
 * `POST /api/rpc/<method>`: how the browser signs in (the password, and the
 * two-factor step that may follow) and out, so that the server can set or
 * clear the HttpOnly session cookie (a WebSocket frame can't). Everything
 * else goes over the socket.
 */
import { ApiError, type SignInMethod } from '../../../main/api/contract.js';

/** One RPC over HTTP: the JSON reply, or an ApiError with the server's message. */
export async function postRpc(
  fetchFn: typeof fetch,
  base: string,
  method: SignInMethod | 'auth.logout',
  params: unknown,
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetchFn(`${base}/api/rpc/${method}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
  } catch {
    throw new ApiError('unavailable', 'cannot reach the Gatehouse server; check that it is running and try again');
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
    const code = (e?.code ?? (res.status === 429 ? 'rate_limited' : res.status === 401 ? 'unauthorized' : 'internal')) as ApiError['code'];
    throw new ApiError(code, e?.message ?? `the server answered ${res.status}`, e?.field);
  }
  return body;
}
