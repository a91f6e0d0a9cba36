/**
 * What goes into the audit trail from the request path: every call that
 * changes something (config, users, cameras, exports, rules, webhooks...),
 * logins and failed logins, and refused calls. Reads are not recorded.
 * Alarm actions are recorded by the alarm service itself, in the same
 * transaction as the change; PTZ through its `ptz.action` bus events.
 */
import { ApiError, type EventMap, type Me } from '../../api/contract.js';
import type { CallInfo } from '../concern.js';
import type { AuditInput } from './trail.js';

/** Method verbs that only read. */
const READ_VERB = /^(list|get|me|health|info|status|coverage|history|search|query|verify|meta|rules|queue|find|probe|discover|describe|stats|capabilities|preview|snapshot|presets|profiles|lookup|read|count|check|ping|watch|subscribe|sources|streams|validate|dryRun)([A-Z][A-Za-z]*)?$/;

/**
 * Recorded elsewhere: alarm actions by the alarm service, bookmarks by theirs (with the change), arming
 * switches by the arming service (arming.switch, with from where; refused ones stay here as .denied), PTZ
 * by its bus events.
 */
function recordedElsewhere(method: string, failed: boolean): boolean {
  if (method.startsWith('alarms.')) return method !== 'alarms.setRules';
  if (method === 'arming.set') return !failed;
  // a refused bookmark change (someone else's) is kept below as <method>.denied
  if (method.startsWith('bookmarks.')) return !failed;
  // notify.ack is audited as the alarm's acknowledgement by the token's user (or notify.ack.refused); push.subscribe with the service, never the keys
  if (method === 'notify.ack' || method === 'push.subscribe') return true;
  return method.startsWith('ptz.');
}

function targetOf(p: Record<string, unknown>): string | null {
  for (const k of ['id', 'cameraId', 'username', 'name', 'camera']) {
    const v = p[k];
    if (typeof v === 'string' || typeof v === 'number') return `${k === 'id' ? '' : k + ':'}${v}`;
  }
  return null;
}

/** The audit record for a finished call, or null if it is not one to keep. */
export function auditForCall(c: CallInfo): AuditInput | null {
  const params = (c.params && typeof c.params === 'object' ? c.params : {}) as Record<string, unknown>;
  const err = c.error instanceof ApiError ? c.error : null;
  if (c.method === 'auth.login') {
    const username = String(params.username ?? '').slice(0, 64);
    if (c.error) {
      if (err?.code === 'rate_limited') return null;
      return { actor: username || '?', action: 'auth.login.failed', target: `username:${username}`, details: { peer: c.peer, error: err?.message ?? 'error' } };
    }
    const user = (c.result as { user?: Me } | undefined)?.user;
    return { actor: user?.username ?? username, action: 'auth.login', target: null, details: { peer: c.peer, role: user?.role ?? null } };
  }
  if (c.method === 'auth.logout') return c.me && !c.error ? { actor: c.me.username, action: 'auth.logout', target: null, details: { peer: c.peer } } : null;
  if (c.method === 'auth.changePassword') {
    return c.me ? { actor: c.me.username, action: c.error ? 'auth.changePassword.failed' : 'auth.changePassword', target: null, details: { peer: c.peer } } : null;
  }
  const verb = c.method.slice(c.method.lastIndexOf('.') + 1);
  if (READ_VERB.test(verb) || recordedElsewhere(c.method, !!c.error)) return null;
  if (c.error) {
    // refused attempts to change something are worth keeping; plain mistakes are not
    if (err?.code !== 'forbidden' && err?.code !== 'unauthorized') return null;
    return { actor: c.me?.username ?? 'anonymous', action: `${c.method}.denied`, target: targetOf(params), details: { peer: c.peer, error: err.message } };
  }
  return { actor: c.me?.username ?? 'anonymous', action: c.method, target: targetOf(params), details: { params, peer: c.peer } };
}

/** The audit record for a `ptz.action` bus event. */
export function auditForPtz(e: EventMap['ptz.action']): AuditInput {
  return { actor: e.user ?? 'system', action: 'ptz.action', target: e.cameraId ? `cameraId:${e.cameraId}` : null, details: { ...e } };
}
