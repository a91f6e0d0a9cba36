/**
 * `POST /api/webhook/arming` with `Authorization: Bearer <token>` of a
 * webhook integration that has the "arming" scope (`gatehouse alarms webhook
 * add NAME --arming`, or Rules → Setup). Body: {"mode": "Night"} (a mode's
 * name or id). Answers 200 {mode, name, previous, changed}; 401 for a missing
 * or unknown token (429 after 20 bad tokens a minute from one address), 403
 * for a token without the arming scope, 400 for a bad body, 404 for an
 * unknown mode. The switch is audited as webhook:<integration id>.
 */
import type http from 'node:http';
import { ApiError } from '../../api/contract.js';
import type { ArmingMode, ArmingStatus } from '../../api/rules.js';
import { RateLimiter } from '../auth/ratelimit.js';
import { logger } from '../log.js';
import { BodyTooLarge, readBody } from '../util/http-body.js';
import type { Who } from './store.js';

const log = logger('arming');
const MAX_BODY = 4096;

/** Which integration a bearer token belongs to (and its scopes), or null. */
export type WebhookIdentify = (authorization: string | undefined) => { id: string; name: string; scopes: string[] } | null;

export interface ArmingWebhookDeps {
  identify: () => WebhookIdentify | null;
  switchTo: (ref: string, who: Who) => ArmingStatus;
  modes: () => ArmingMode[];
}

const failures = new RateLimiter(20, 60_000);

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

const fail = (res: http.ServerResponse, err: ApiError, headers: Record<string, string> = {}) =>
  send(res, err.status, { error: err.toBody() }, headers);

export async function handleArmingWebhook(req: http.IncomingMessage, res: http.ServerResponse, d: ArmingWebhookDeps): Promise<void> {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (req.method !== 'POST')
    return fail(res, new ApiError('bad_request', 'use POST with a JSON body {"mode": "Night"}'), { allow: 'POST' });
  const who = d.identify()?.(req.headers.authorization) ?? null;
  if (!who) {
    req.resume();
    const wait = failures.take(peer);
    if (wait > 0)
      return fail(res, new ApiError('rate_limited', `too many requests with bad tokens; try again in ${wait} s`), {
        'retry-after': String(wait),
      });
    log.warn(`arming webhook call from ${peer} with a ${req.headers.authorization ? 'wrong' : 'missing'} token`);
    return fail(
      res,
      new ApiError(
        'unauthorized',
        'missing or unknown token: create one with "gatehouse alarms webhook add NAME --arming" and send it as Authorization: Bearer <token>',
      ),
      { 'www-authenticate': 'Bearer realm="gatehouse-webhook"' },
    );
  }
  if (!who.scopes.includes('arming')) {
    req.resume();
    log.warn(`webhook "${who.name}" tried to switch the arming mode without the arming scope`);
    return fail(
      res,
      new ApiError(
        'forbidden',
        `the token of "${who.name}" may not switch the arming mode; create one with the arming scope ("gatehouse alarms webhook add NAME --arming")`,
      ),
    );
  }
  let ref: string;
  try {
    const text = await readBody(req, MAX_BODY, `request body is larger than ${MAX_BODY} bytes; send {"mode": "Night"}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError('bad_request', 'the body is not valid JSON; send {"mode": "Night"}');
    }
    const mode = (body as { mode?: unknown } | null)?.mode;
    if (typeof mode !== 'string' || !mode.trim() || Object.keys(body as object).length !== 1)
      throw new ApiError(
        'bad_request',
        `send exactly {"mode": "<name>"}; the modes are ${d
          .modes()
          .map((m) => m.name)
          .join(', ')}`,
        'mode',
      );
    ref = mode;
  } catch (err) {
    if (err instanceof ApiError) return fail(res, err, err instanceof BodyTooLarge ? { connection: 'close' } : {});
    throw err;
  }
  try {
    const st = d.switchTo(ref, { actor: `webhook:${who.id}`, role: null, via: 'webhook', peer });
    send(res, 200, { mode: st.mode.id, name: st.mode.name, since: st.since, by: st.by, via: st.via });
  } catch (err) {
    if (err instanceof ApiError) return fail(res, err);
    throw err;
  }
}
