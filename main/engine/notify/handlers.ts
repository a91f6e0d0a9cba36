/**
 * push.*, contacts.*, oncall.*, rotas.*, smtp.* and notify.* request handlers, and
 * the notifications module they act on (index.ts).
 */
import type { Priority } from '../../api/alarms.js';
import { ApiError } from '../../api/contract.js';
import type { ModuleConcern } from '../concern.js';
import { RateLimiter } from '../auth/ratelimit.js';
import { NotifyModule, type NotifyDeps } from './index.js';
import {
  addContact,
  addRota,
  onCallView,
  removeContact,
  removeRota,
  setOnCall,
  setSmtp,
  smtpView,
  updateContact,
  updateRota,
} from './settings.js';

export function notifyConcern(d: NotifyDeps): ModuleConcern<NotifyModule> {
  const m = new NotifyModule(d);
  const changed = (what: 'contacts' | 'oncall' | 'smtp' | 'push') => d.bus.emit('notify.changed', { what });
  // a wrong token is 1 in 2^256; the limit only keeps a flood out of the log and the trail
  const badAcks = new RateLimiter(20, 60_000);
  return {
    module: m,
    handlers: {
      'push.info': () => m.pushInfo(),
      'push.subscribe': (p, _ctx, me) => m.subscribe(me!, { ...p, priorities: p.priorities as Priority[] }),
      'push.list': (p, _ctx, me) => {
        if (p.all && me!.role !== 'admin')
          throw new ApiError('forbidden', 'only an admin sees everyone’s push subscriptions; you see your own');
        return m.store.subscriptions(p.all ? undefined : me!.username);
      },
      // the owner changes their own subscription, an admin anyone's (mySubscription); audited by the call hook
      'push.update': (p, _ctx, me) => {
        m.mySubscription(me!, p.id);
        const s = m.store.updateSubscription(p.id, {
          label: p.label,
          priorities: p.priorities ? ([...new Set(p.priorities)].sort() as Priority[]) : undefined,
          cameraIds: p.cameraIds === undefined ? undefined : m.checkCameraIds('push.update', p.cameraIds),
        });
        changed('push');
        return s;
      },
      'push.remove': (p, _ctx, me) => {
        m.mySubscription(me!, p.id);
        m.removeSubscription(me!, p.id, 'revoked in Settings');
        return { ok: true as const };
      },
      'push.test': (p, _ctx, me) => m.testSubscription(me!, p.id),
      'notify.ack': (p, ctx) => {
        const wait = badAcks.peek(ctx.peer);
        if (wait) throw new ApiError('rate_limited', `too many wrong acknowledge tokens from this address; wait ${wait} s`);
        try {
          return m.acknowledge(p.token, ctx.peer);
        } catch (err) {
          if (err instanceof ApiError && err.code === 'unauthorized') badAcks.hit(ctx.peer);
          throw err;
        }
      },

      'contacts.list': () => ({ contacts: m.setup().contacts.map((c) => m.contactView(c)), timeZone: d.timeZone() }),
      'contacts.add': async (p) => {
        const c = await addContact(d.config, p);
        changed('contacts');
        return m.contactView(c);
      },
      'contacts.update': async (p) => {
        const { id, ...patch } = p;
        const c = await updateContact(d.config, id, patch);
        changed('contacts');
        return m.contactView(c);
      },
      'contacts.remove': async (p) => {
        await removeContact(d.config, p.id);
        changed('contacts');
        return { ok: true as const };
      },
      'contacts.test': (p) => m.testContact(p.id),

      'oncall.get': () => onCallView(m.setup()),
      'oncall.set': async (p) => {
        const v = await setOnCall(d.config, p);
        changed('oncall');
        return v;
      },
      // one rota per request, each one atomic write of the config (no whole-list race); audited by the call hook
      'rotas.add': async (p) => {
        const r = await addRota(d.config, p);
        changed('oncall');
        return r;
      },
      'rotas.update': async (p) => {
        const { id, ...patch } = p;
        const r = await updateRota(d.config, { id }, patch);
        changed('oncall');
        return r;
      },
      'rotas.remove': async (p) => {
        await removeRota(d.config, { id: p.id });
        changed('oncall');
        return { ok: true as const };
      },

      'smtp.get': () => smtpView(m.setup()),
      'smtp.set': async (p) => {
        const v = await setSmtp(d.config, d.secrets, p);
        changed('smtp');
        return v;
      },
      'smtp.test': (p) => m.testSmtp(p.to),

      'notify.history': (p) => m.store.history(p.alarmId, p.cursor, p.limit),
    },
  };
}
