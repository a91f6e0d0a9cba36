/**
 * Inbound sensor webhook: `POST /api/webhook/sensors` with
 * `Authorization: Bearer <token>` (one token per integration, created with
 * `gatehouse alarms webhook add NAME` or integrations.addWebhook).
 *
 * Body: one message with its sensor id, or a batch:
 *   {"sensor":"door-3","type":"door","state":"open"}
 *   {"messages":[{"sensor":"door-3","type":"door","state":"open"}, ...]}
 * Answers 202 with what became of each, 401 for a missing or unknown token,
 * 400 for a malformed body (nothing of the batch is taken), 405, 413, 429.
 */
import crypto from 'node:crypto';
import { BodyTooLarge, readBody } from '../util/http-body.js';
import type http from 'node:http';
import type { AlarmSetup, SensorMessage } from '../../api/alarms.js';
import { ApiError } from '../../api/contract.js';
import { RateLimiter } from '../auth/ratelimit.js';
import { logger } from '../log.js';
import { parseSensorMessage, type SensorIngest, type SensorOutcome } from './sensors.js';

const log = logger('webhook');
const MAX_BODY = 256 * 1024;
const MAX_BATCH = 500;

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return 'ghw_' + crypto.randomBytes(24).toString('base64url');
}

export interface WebhookDeps {
  setup: () => AlarmSetup;
  sensors: SensorIngest;
}

export interface WebhookStats {
  lastUsedAt: string | null;
  received: number;
  rejected: number;
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function fail(res: http.ServerResponse, err: ApiError, headers: Record<string, string> = {}): void {
  send(res, err.status, { error: err.toBody() }, headers);
}

/** Split the body into validated (sensor, message) pairs, or throw a 400 naming the bad item. */
export function parseWebhookBody(body: unknown): { sensorId: string; msg: SensorMessage }[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('bad_request', 'body must be a JSON object: {"sensor":"door-3","type":"door","state":"open"} or {"messages":[...]}');
  }
  const b = body as Record<string, unknown>;
  let items: unknown[];
  if ('messages' in b) {
    if (!Array.isArray(b.messages) || b.messages.length === 0) throw new ApiError('bad_request', 'messages must be a non-empty array', 'messages');
    if (Object.keys(b).length > 1) throw new ApiError('bad_request', 'a batch body holds only "messages"', 'messages');
    if (b.messages.length > MAX_BATCH) throw new ApiError('bad_request', `at most ${MAX_BATCH} messages a request; got ${b.messages.length}`, 'messages');
    items = b.messages;
  } else items = [b];
  return items.map((item, i) => {
    const where = items.length > 1 || 'messages' in b ? `messages[${i}]` : 'body';
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ApiError('bad_request', `${where}: expected an object`);
    const { sensor, ...rest } = item as Record<string, unknown>;
    if (sensor === undefined) throw new ApiError('bad_request', `${where}: "sensor" (the sensor id) is missing`, 'sensor');
    return parseSensorMessage(sensor, rest, where);
  });
}

/** Requests read at once; beyond this a sender is told to come back in a second (its messages are not taken). */
export const MAX_IN_FLIGHT = 32;

export class SensorWebhook {
  private failures = new RateLimiter(20, 60_000);
  private inFlight = 0;
  readonly stats = new Map<string, WebhookStats>();

  constructor(private readonly d: WebhookDeps) {}

  private statsOf(id: string): WebhookStats {
    let s = this.stats.get(id);
    if (!s) this.stats.set(id, (s = { lastUsedAt: null, received: 0, rejected: 0 }));
    return s;
  }

  /** Which integration a bearer token belongs to (constant-time compare) and what it may do, or null. */
  identify(auth: string | undefined): { id: string; name: string; scopes: string[] } | null {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth ?? '');
    if (!m) return null;
    const h = Buffer.from(hashToken(m[1]!), 'hex');
    for (const w of this.d.setup().webhooks) {
      if (w.disabled) continue;
      const k = Buffer.from(w.tokenSha256, 'hex');
      // tokens made before scopes existed post sensor messages only
      if (k.length === h.length && crypto.timingSafeEqual(k, h)) return { id: w.id, name: w.name, scopes: w.scopes ?? ['sensors'] };
    }
    return null;
  }

  /**
   * A sender with no limit on its open connections (an alarm storm, a misbehaving panel) must not queue thousands of
   * requests behind each other until everyone's answers take seconds: past MAX_IN_FLIGHT it gets 503 with
   * Retry-After at once, and nothing of that request is taken (it sends it again).
   */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.inFlight >= MAX_IN_FLIGHT) {
      req.resume();
      return fail(res, new ApiError('unavailable', `busy: ${MAX_IN_FLIGHT} webhook requests are being read; send this one again in a second (nothing of it was taken)`), {
        'retry-after': '1',
      });
    }
    this.inFlight++;
    try {
      await this.handleOne(req, res);
    } finally {
      this.inFlight--;
    }
  }

  private async handleOne(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const peer = req.socket.remoteAddress ?? 'unknown';
    if (req.method !== 'POST') return fail(res, new ApiError('bad_request', 'use POST with a JSON body'), { allow: 'POST' });
    const who = this.identify(req.headers.authorization);
    if (!who) {
      req.resume();
      const wait = this.failures.take(peer);
      if (wait > 0) return fail(res, new ApiError('rate_limited', `too many requests with bad tokens; try again in ${wait} s`), { 'retry-after': String(wait) });
      log.warn(`webhook call from ${peer} with a ${req.headers.authorization ? 'wrong' : 'missing'} token`);
      return fail(
        res,
        new ApiError(
          'unauthorized',
          req.headers.authorization
            ? 'unknown or disabled webhook token; create one with "gatehouse alarms webhook add NAME" and send it as Authorization: Bearer <token>'
            : 'missing token: send Authorization: Bearer <token> (create one with "gatehouse alarms webhook add NAME")',
        ),
        { 'www-authenticate': 'Bearer realm="gatehouse-webhook"' },
      );
    }
    if (!who.scopes.includes('sensors')) {
      req.resume();
      log.warn(`webhook "${who.name}" posted sensor messages without the sensors scope`);
      return fail(res, new ApiError('forbidden', `the token of "${who.name}" may not post sensor messages (it is for arming only); create one with "gatehouse alarms webhook add NAME"`));
    }
    const stats = this.statsOf(who.id);
    stats.lastUsedAt = new Date().toISOString();
    let items: { sensorId: string; msg: SensorMessage }[];
    try {
      const text = await readBody(req, MAX_BODY, `request body is larger than ${MAX_BODY} bytes; send at most ${MAX_BATCH} messages a request`);
      if (!text.trim()) throw new ApiError('bad_request', 'the body is empty; send a JSON sensor message');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError('bad_request', 'the body is not valid JSON');
      }
      items = parseWebhookBody(body);
    } catch (err) {
      stats.rejected++;
      this.d.sensors.reject();
      if (err instanceof ApiError) {
        log.warn(`webhook "${who.name}": rejected: ${err.message}`);
        return fail(res, err, err instanceof BodyTooLarge ? { connection: 'close' } : {});
      }
      throw err;
    }
    const results: (SensorOutcome & { sensor: string })[] = [];
    for (const it of items) {
      const r = this.d.sensors.handle(it.sensorId, it.msg, `webhook:${who.id}`);
      results.push({ sensor: it.sensorId, ...r });
    }
    stats.received += items.length;
    send(res, 202, { accepted: items.length, results: results.map((r) => ({ sensor: r.sensor, type: r.type, outcome: r.outcome, alarmId: r.alarmId })) });
  }
}
