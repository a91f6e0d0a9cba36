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
  // face recognition audits itself (faces.enrol, faces.forget, faces.search...): never the photos in the params
  if (method.startsWith('people.') || method.startsWith('faces.')) return !failed;
  return method.startsWith('ptz.');
}

function targetOf(p: Record<string, unknown>): string | null {
  for (const k of ['id', 'cameraId', 'username', 'name', 'camera']) {
    const v = p[k];
    if (typeof v === 'string' || typeof v === 'number') return `${k === 'id' ? '' : k + ':'}${v}`;
  }
  return null;
}

/**
 * Two-factor sign-in (docs/security.md): the code step, enrolment, turning it
 * off, new recovery codes, an admin's reset. Never the codes, tickets or
 * secrets themselves (the params are not recorded).
 */
function auditTwoFactor(c: CallInfo, params: Record<string, unknown>, err: ApiError | null): AuditInput | AuditInput[] | null {
  const username = String(params.username ?? '').slice(0, 64);
  const result = (c.result ?? {}) as { user?: Me; secondFactor?: string; recoveryLeft?: number };
  const denied = (action: string) =>
    err && (err.code === 'forbidden' || err.code === 'unauthorized') ? { actor: c.me?.username ?? 'anonymous', action, target: null, details: { peer: c.peer, error: err.message } } : null;
  switch (c.method) {
    case 'auth.totpVerify':
    case 'auth.totpEnrolFinish': {
      const enrol = c.method === 'auth.totpEnrolFinish';
      if (c.error) {
        if (err?.code === 'rate_limited') return null;
        return { actor: username || '?', action: 'auth.login.failed', target: `username:${username}`, details: { peer: c.peer, step: enrol ? 'enrol' : 'code', error: err?.message ?? 'error' } };
      }
      const actor = result.user?.username ?? username;
      const login = { actor, action: 'auth.login', target: null, details: { peer: c.peer, role: result.user?.role ?? null, secondFactor: result.secondFactor ?? 'totp' } };
      if (enrol) return [{ actor, action: 'auth.totp.enrol', target: null, details: { peer: c.peer, via: 'sign-in (required for admins)' } }, login];
      if (result.secondFactor === 'recovery') return [login, { actor, action: 'auth.totp.recoveryUsed', target: null, details: { peer: c.peer, recoveryLeft: result.recoveryLeft ?? null } }];
      return login;
    }
    case 'auth.totpEnrolBegin':
    case 'auth.totpStatus':
      return null;
    case 'auth.totpBegin':
      return c.error ? denied('auth.totpBegin.denied') : null;
    case 'auth.totpEnable':
      return c.error ? denied('auth.totpEnable.denied') : { actor: c.me!.username, action: 'auth.totp.enrol', target: null, details: { peer: c.peer, via: 'settings' } };
    case 'auth.totpDisable':
      return c.error ? denied('auth.totpDisable.denied') : { actor: c.me!.username, action: 'auth.totp.disable', target: null, details: { peer: c.peer } };
    case 'auth.totpRecoveryCodes':
      return c.error ? denied('auth.totpRecoveryCodes.denied') : { actor: c.me!.username, action: 'auth.totp.recoveryCodes', target: null, details: { peer: c.peer, count: 10 } };
    case 'users.totpReset':
      if (c.error) return denied('users.totpReset.denied');
      return { actor: c.me?.username ?? 'anonymous', action: 'users.totpReset', target: `username:${String(params.username ?? '')}`, details: { peer: c.peer } };
  }
  return null;
}

/** The audit record(s) for a finished call, or null if it is not one to keep. */
export function auditForCall(c: CallInfo): AuditInput | AuditInput[] | null {
  const params = (c.params && typeof c.params === 'object' ? c.params : {}) as Record<string, unknown>;
  const err = c.error instanceof ApiError ? c.error : null;
  if (c.method === 'auth.login') {
    const username = String(params.username ?? '').slice(0, 64);
    if (c.error) {
      if (err?.code === 'rate_limited') return null;
      return { actor: username || '?', action: 'auth.login.failed', target: `username:${username}`, details: { peer: c.peer, error: err?.message ?? 'error' } };
    }
    const r = c.result as { user?: Me; next?: string; username?: string } | undefined;
    if (r?.next) {
      // the password was right; the sign-in waits for the second factor (recorded as auth.login once it comes)
      return { actor: r.username ?? username, action: 'auth.login.password', target: null, details: { peer: c.peer, next: r.next } };
    }
    const user = r?.user;
    return { actor: user?.username ?? username, action: 'auth.login', target: null, details: { peer: c.peer, role: user?.role ?? null } };
  }
  if (c.method.startsWith('auth.totp') || c.method === 'users.totpReset') return auditTwoFactor(c, params, err);
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
