/**
 * Notifications and on-call escalation: Web Push subscriptions, SMTP e-mail,
 * contacts with channels and duty hours, rotas, the escalation ladder of each
 * priority, and the log of every notice sent. Part of the one API contract,
 * merged in contract.ts. Imported by the renderer too: no Node APIs here.
 *
 * Design: docs/alarms.md ("On-call escalation and notices"), security:
 * docs/security.md ("Notifications"), what leaves the site: docs/privacy.md.
 *
 * Role matrix: every user subscribes their own browsers to push and sees their
 * own subscriptions (an admin sees and removes everyone's); supervisors see the
 * contacts, the ladders and the notices, and send test notices; admins change
 * contacts, ladders, rotas and the SMTP settings. `notify.ack` needs no session:
 * the single-use token in the notification is the credential.
 */
import { z } from 'zod';
import { Priority, type Page } from './alarms.js';

export const CHANNELS = ['push', 'email', 'mqtt', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time of day must be HH:MM, 24-hour');
const ContactId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'contact id must be lower-case letters, digits and -');
/** A simple, strict e-mail address: no spaces, no angle brackets, no line breaks (it goes into a mail header). */
export const EmailAddress = z
  .string()
  .trim()
  .max(254)
  .regex(
    /^[^\s<>"(),;:\\@]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$/,
    'not an e-mail address (name@example.org)',
  );
const MqttTopic = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^#+\s\0]+$/, 'an MQTT topic for notices may not hold # + or spaces');
const WebhookUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s]+$/, 'webhook URL must be http(s)://…');
const UsernameRef = z.string().regex(/^[A-Za-z0-9._-]{2,32}$/, 'user names are letters, digits and . _ -');

/** One weekly window of duty, in settings.timeZone; `from` > `to` runs past midnight (it belongs to the day it starts). */
export const DutyWindow = z
  .object({
    /** 0 = Sunday … 6 = Saturday. */
    days: z.array(z.number().int().min(0).max(6)).min(1).max(7),
    from: HHMM,
    to: HHMM,
  })
  .strict();
export type DutyWindow = z.infer<typeof DutyWindow>;

const ContactFields = {
  name: z.string().trim().min(1, 'a contact needs a name').max(80),
  /** E-mail notices go here. */
  email: EmailAddress.nullable().default(null),
  /** Push notices go to this Gatehouse user's subscribed browsers and phones. */
  username: UsernameRef.nullable().default(null),
  /** A JSON notice is published here (QoS 1) on the engine's MQTT broker. */
  mqttTopic: MqttTopic.nullable().default(null),
  /** A JSON notice is POSTed here (5 s timeout, retried). */
  webhookUrl: WebhookUrl.nullable().default(null),
  /** Priorities this contact is told about; empty = every priority. */
  priorities: z.array(Priority).max(5).default([]),
  /** The rung of the ladder: 2 = the first after the console (supervisor), 3 = next (site manager) … */
  level: z.number().int().min(2, 'level 1 is the console; contacts are level 2 and up').max(9).default(2),
  /** Weekly duty hours; empty = always (unless a rota says whose turn it is). */
  duty: z.array(DutyWindow).max(14).default([]),
  enabled: z.boolean().default(true),
};

export const NO_CHANNEL_MESSAGE = 'a contact needs at least one channel: an e-mail address, a user (push), an MQTT topic or a webhook URL';
const hasChannel = (c: { email?: string | null; username?: string | null; mqttTopic?: string | null; webhookUrl?: string | null }) =>
  !!(c.email || c.username || c.mqttTopic || c.webhookUrl);

export const Contact = z
  .object({ id: ContactId, ...ContactFields })
  .strict()
  .refine(hasChannel, { message: NO_CHANNEL_MESSAGE, path: ['email'] });
export type Contact = z.infer<typeof Contact>;
export const ContactInput = z
  .object({ id: ContactId.optional(), ...ContactFields })
  .strict()
  .refine(hasChannel, { message: NO_CHANNEL_MESSAGE, path: ['email'] });
export type ContactInput = z.input<typeof ContactInput>;

const RotaPeriodHours = z
  .number({ error: 'the period is a number of hours' })
  .int('the period is a whole number of hours')
  .min(1, 'a turn lasts at least 1 hour')
  .max(24 * 90, 'a turn lasts at most 90 days (2160 h)');
const RotaFields = {
  name: z.string().trim().min(1, 'a rota needs a name').max(80, 'a rota name is at most 80 characters'),
  /** When the first member's first turn starts (ISO 8601, stored in UTC). */
  startsAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'give the time the first turn starts, e.g. 2026-01-05T07:00:00Z'),
  /** How long each turn lasts. */
  periodHours: RotaPeriodHours.default(168),
  /** Contact ids, in the order they take turns. */
  members: z.array(ContactId).min(1, 'a rota needs at least one member').max(50, 'a rota has at most 50 members'),
};

/** An on-call rota: its members take turns, each for `periodHours`, starting with the first at `startsAt`. */
export const Rota = z.object({ id: ContactId, ...RotaFields }).strict();
export type Rota = z.infer<typeof Rota>;
/** A rota as oncall.set and rotas.add take it: without an id, the engine makes one from the name. */
export const RotaInput = z.object({ id: ContactId.optional(), ...RotaFields }).strict();
export type RotaInput = z.input<typeof RotaInput>;

/** The escalation ladder of one priority: level 1 is the console (at once); each step tells the contacts of its level. */
export const LadderStep = z
  .object({
    level: z.number().int().min(2).max(9),
    /** Seconds after the alarm was raised, if it is still unacknowledged. */
    afterSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400),
  })
  .strict();
export type LadderStep = z.infer<typeof LadderStep>;
export const Ladder = z
  .object({ priority: Priority, steps: z.array(LadderStep).max(8) })
  .strict()
  .refine((l) => l.steps.every((s, i) => i === 0 || (s.level > l.steps[i - 1]!.level && s.afterSeconds > l.steps[i - 1]!.afterSeconds)), {
    message: 'each step of a ladder must have a higher level and a later time than the one before',
    path: ['steps'],
  });
export type Ladder = z.infer<typeof Ladder>;

export const SMTP_TLS = ['starttls', 'implicit', 'none'] as const;
export type SmtpTls = (typeof SMTP_TLS)[number];
export const SmtpUrl = z
  .string()
  .max(512)
  .regex(
    /^smtps?:\/\/[A-Za-z0-9.[\]:_-]+(:\d{1,5})?\/?$/,
    'the SMTP URL is smtp://HOST:PORT (or smtps://HOST:PORT), without a user or password',
  );

/** What config.json keeps (config.notifications). Sealed values never leave the engine. */
export const NotifySetup = z
  .object({
    smtp: z
      .object({
        url: SmtpUrl,
        from: EmailAddress,
        user: z.string().max(256).nullable().default(null),
        /** Sealed like camera passwords (enc:v1, docs/security.md). */
        passwordSealed: z.string().max(4096).nullable().default(null),
        tls: z.enum(SMTP_TLS).default('starttls'),
        /** Trust this CA certificate file (PEM) for the SMTP server, besides the system's. */
        caFile: z.string().min(1).max(4096).nullable().default(null),
      })
      .strict()
      .nullable()
      .default(null),
    /** The console's address as recipients reach it (https://nvr.example.org:8780); e-mail links use it. */
    publicUrl: z
      .string()
      .max(512)
      .regex(/^https?:\/\/[^\s/?#]+\/?$/, 'the public URL is http(s)://HOST[:PORT], the address people open the console at')
      .nullable()
      .default(null),
    contacts: z.array(Contact).max(200).default([]),
    rotas: z.array(Rota).max(50).default([]),
    /** Per-priority ladders; a priority not listed uses the default (docs/alarms.md). */
    ladders: z.array(Ladder).max(5).optional(),
    /** Push services besides the browsers' own (FCM, Mozilla, Apple, Microsoft): host names, e.g. a self-hosted one. */
    pushHosts: z
      .array(
        z
          .string()
          .min(1)
          .max(253)
          .regex(/^[A-Za-z0-9.*_-]+$|^\[?[0-9A-Fa-f:.]+\]?$/),
      )
      .max(32)
      .default([]),
    /** Waits between attempts of a failed notice, seconds; its length bounds the retries. */
    retrySeconds: z.array(z.number().int().min(1).max(3600)).max(8).default([5, 30, 120, 600]),
    /** Web Push VAPID keys, made at first start. */
    vapid: z
      .object({
        publicKey: z.string().regex(/^[A-Za-z0-9_-]{80,100}$/),
        privateKeySealed: z.string().max(4096),
        subject: z.string().max(256),
        createdAt: z.string(),
      })
      .strict()
      .nullable()
      .default(null),
  })
  .strict();
export type NotifySetup = z.infer<typeof NotifySetup>;

// ───────────────────────────── what consoles see ─────────────────────────────

export interface PushSubscriptionInfo {
  id: number;
  username: string;
  /** What the user called it ("Pixel 8", "desk Firefox"), or the browser it came from. */
  label: string;
  /** The push service (the endpoint's origin only: the full endpoint is a capability, never shown). */
  service: string;
  /** Alarms of these priorities are pushed when raised; escalations to this user as a contact come regardless. */
  priorities: Priority[];
  /** Only alarms on these cameras (null = any camera, and alarms without one). */
  cameraIds: string[] | null;
  createdAt: string;
  lastOkAt: string | null;
  lastError: string | null;
  /** Failed attempts since the last success. */
  failures: number;
}

export interface ContactView extends Contact {
  /** On duty now (weekly hours and rotas). */
  onDuty: boolean;
  /** Why not, or which rota turn: "off duty until Mon 08:00", "rota Night techs: 2nd of 3". */
  dutyNote: string;
}

export const NOTICE_STATES = ['sending', 'retrying', 'delivered', 'failed', 'removed'] as const;
export type NoticeState = (typeof NOTICE_STATES)[number];
export type NoticeKind = 'raised' | 'escalation' | 'test';

/** One notice to one recipient on one channel, and how it went. */
export interface Notice {
  id: number;
  alarmId: number | null;
  contactId: string | null;
  /** The contact's name, or the subscription owner's user name for raised-alarm pushes. */
  recipient: string;
  channel: Channel;
  /** Where it went, shortened for the eye: "s…@example.org", "fcm.googleapis.com", "gatehouse/oncall/sam", "hooks.example.org". */
  target: string;
  level: number;
  kind: NoticeKind;
  state: NoticeState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  /** When the next attempt is due (state retrying). */
  nextAt: string | null;
}

export interface SmtpView {
  configured: boolean;
  url: string | null;
  from: string | null;
  user: string | null;
  hasPassword: boolean;
  tls: SmtpTls;
  caFile: string | null;
  publicUrl: string | null;
}

export interface OnCallView {
  /** The effective ladder of every priority 1…5. */
  ladders: (Ladder & { builtIn: boolean })[];
  rotas: Rota[];
  retrySeconds: number[];
}

// ───────────────────────────── requests ─────────────────────────────

const Id = z.number().int().positive();
const PushKey = z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/, 'subscription keys are base64url');
const CameraIds = z.array(z.string().min(1).max(80)).max(64).nullable();

export const notifyRequests = {
  /** The VAPID public key (applicationServerKey) and whether push can work here. */
  'push.info': { role: 'guard', input: z.object({}).strict() },
  /** Subscribe this browser (the PushSubscription's JSON) for the signed-in user. */
  'push.subscribe': {
    role: 'guard',
    input: z
      .object({
        endpoint: z
          .string()
          .max(2048)
          .regex(/^https?:\/\/\S+$/, 'a push endpoint is an https:// URL from the browser'),
        keys: z.object({ p256dh: PushKey.max(200), auth: PushKey.max(64) }).strict(),
        label: z.string().trim().max(80).optional(),
        priorities: z.array(Priority).max(5).default([1, 2]),
        cameraIds: CameraIds.default(null),
      })
      .strict(),
  },
  /** Your subscriptions; `all` (admin) everyone's. */
  'push.list': { role: 'guard', input: z.object({ all: z.boolean().default(false) }).strict() },
  'push.update': {
    role: 'guard',
    input: z
      .object({
        id: Id,
        label: z.string().trim().max(80).optional(),
        priorities: z.array(Priority).max(5).optional(),
        cameraIds: CameraIds.optional(),
      })
      .strict(),
  },
  /** Revoke a subscription: your own, or anyone's as admin. */
  'push.remove': { role: 'guard', input: z.object({ id: Id }).strict() },
  /** Send a test push to one of your subscriptions (admin: anyone's). */
  'push.test': { role: 'guard', input: z.object({ id: Id }).strict() },
  /** Acknowledge an alarm from a notification: the token it carried is the credential (single use, short-lived, bound to user and alarm). */
  'notify.ack': { role: null, input: z.object({ token: z.string().min(20).max(200) }).strict() },

  'contacts.list': { role: 'supervisor', input: z.object({}).strict() },
  'contacts.add': { role: 'admin', input: ContactInput },
  'contacts.update': {
    role: 'admin',
    input: z
      .object({
        id: ContactId,
        name: ContactFields.name.optional(),
        email: EmailAddress.nullable().optional(),
        username: UsernameRef.nullable().optional(),
        mqttTopic: MqttTopic.nullable().optional(),
        webhookUrl: WebhookUrl.nullable().optional(),
        priorities: z.array(Priority).max(5).optional(),
        level: z.number().int().min(2).max(9).optional(),
        duty: z.array(DutyWindow).max(14).optional(),
        enabled: z.boolean().optional(),
      })
      .strict(),
  },
  'contacts.remove': { role: 'admin', input: z.object({ id: ContactId }).strict() },
  /** Send a test notice to one contact on every channel it has. */
  'contacts.test': { role: 'supervisor', input: z.object({ id: ContactId }).strict() },

  'oncall.get': { role: 'supervisor', input: z.object({}).strict() },
  /** Replace the ladders (null = the defaults) and/or the rotas, and the retry waits. */
  'oncall.set': {
    role: 'admin',
    input: z
      .object({
        ladders: z.array(Ladder).max(5).nullable().optional(),
        /** Every rota, in order (replaces them all); one without an id is new. The console uses rotas.add/update/remove. */
        rotas: z.array(RotaInput).max(50, 'at most 50 rotas').optional(),
        retrySeconds: z.array(z.number().int().min(1).max(3600)).max(8).optional(),
      })
      .strict(),
  },

  /**
   * One rota at a time (the console; the CLI's `gatehouse rotas` does the same on the config): each change is one
   * atomic write of the config, so two admins changing two rotas at once both land. Errors name the rota's own
   * field (`name`, `members`, `periodHours`, `startsAt`); another rota's problem is `rotas.<i>.<field>`.
   */
  'rotas.add': { role: 'admin', input: z.object(RotaFields).strict() },
  /** Change one rota by id; fields left out stay. */
  'rotas.update': {
    role: 'admin',
    input: z
      .object({
        id: ContactId,
        name: RotaFields.name.optional(),
        startsAt: RotaFields.startsAt.optional(),
        periodHours: RotaPeriodHours.optional(),
        members: RotaFields.members.optional(),
      })
      .strict(),
  },
  'rotas.remove': { role: 'admin', input: z.object({ id: ContactId }).strict() },

  'smtp.get': { role: 'admin', input: z.object({}).strict() },
  /** Set the SMTP server (url null removes it). `password`: a new one, null to clear, left out to keep. */
  'smtp.set': {
    role: 'admin',
    input: z
      .object({
        url: SmtpUrl.nullable(),
        from: EmailAddress.optional(),
        user: z.string().max(256).nullable().optional(),
        password: z.string().max(1024).nullable().optional(),
        tls: z.enum(SMTP_TLS).optional(),
        caFile: z.string().min(1).max(4096).nullable().optional(),
        publicUrl: NotifySetup.shape.publicUrl.optional(),
      })
      .strict(),
  },
  /** Send a test e-mail now and wait for the server's answer (one attempt). */
  'smtp.test': { role: 'admin', input: z.object({ to: EmailAddress }).strict() },

  /** Notices, newest first: all, or one alarm's. */
  'notify.history': {
    role: 'supervisor',
    input: z
      .object({ alarmId: Id.optional(), cursor: z.string().max(200).nullish(), limit: z.number().int().min(1).max(500).default(100) })
      .strict(),
  },
} as const;

export interface NotifyResults {
  'push.info': { publicKey: string | null; reason: string | null };
  'push.subscribe': PushSubscriptionInfo;
  'push.list': PushSubscriptionInfo[];
  'push.update': PushSubscriptionInfo;
  'push.remove': { ok: true };
  'push.test': Notice;
  'notify.ack': { alarmId: number; state: string; by: string };
  'contacts.list': { contacts: ContactView[]; timeZone: string };
  'contacts.add': ContactView;
  'contacts.update': ContactView;
  'contacts.remove': { ok: true };
  'contacts.test': Notice[];
  'oncall.get': OnCallView;
  'oncall.set': OnCallView;
  'rotas.add': Rota;
  'rotas.update': Rota;
  'rotas.remove': { ok: true };
  'smtp.get': SmtpView;
  'smtp.set': SmtpView;
  'smtp.test': { ok: true; message: string };
  'notify.history': Page<Notice>;
}

export interface NotifyEvents {
  /** A notice was queued, delivered, retried, failed, or its subscription removed. */
  'notify.notice': Notice;
  /** Contacts, ladders, rotas, the SMTP settings or push subscriptions changed. */
  'notify.changed': { what: 'contacts' | 'oncall' | 'smtp' | 'push' };
}
export const NOTIFY_EVENT_NAMES = ['notify.notice', 'notify.changed'] as const;
