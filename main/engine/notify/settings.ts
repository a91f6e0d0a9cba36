/**
 * Changes to config.notifications: contacts, rotas and ladders, the SMTP
 * server (its password sealed), the VAPID keys. Shared by the handlers and
 * the CLI (`gatehouse smtp …`, `gatehouse contacts …`, `gatehouse rotas …`),
 * which edit the config directly; a running server picks the change up at once.
 */
import { ApiError } from '../../api/contract.js';
import { Contact, ContactInput, NotifySetup, Rota, RotaInput, type Ladder, type OnCallView, type SmtpView } from '../../api/notify.js';
import { notifySetupOf, type ConfigFile } from '../config/schema.js';
import type { SecretBox } from '../config/secrets.js';
import type { ConfigStore } from '../config/store.js';
import { effectiveLadders } from './ladder.js';
import { newVapid } from './push.js';

function setupIn(c: ConfigFile): NotifySetup {
  return NotifySetup.parse(c.notifications ?? {});
}

function slug(name: string, taken: Set<string>, fallback = 'contact'): string {
  const base =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56) || fallback;
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}

function checkUser(c: ConfigFile, username: string | null | undefined): void {
  if (username && !c.users.some((u) => u.username === username)) {
    throw new ApiError(
      'bad_request',
      `there is no user "${username}": push notices go to a Gatehouse user's subscribed browsers; add the user first, or leave the user out`,
      'username',
    );
  }
}

/** Add a contact (id from its name unless given). Throws bad_request for a contact with no channel. */
export async function addContact(config: ConfigStore, input: unknown): Promise<Contact> {
  const parsed = ContactInput.safeParse(input);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ApiError(
      'bad_request',
      `contact: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`,
      i.path.join('.') || undefined,
    );
  }
  return config.update((c) => {
    const s = setupIn(c);
    checkUser(c, parsed.data.username);
    const taken = new Set(s.contacts.map((x) => x.id));
    if (parsed.data.id && taken.has(parsed.data.id))
      throw new ApiError('conflict', `a contact with the id "${parsed.data.id}" exists; pick another id or update it`, 'id');
    if (s.contacts.some((x) => x.name.toLowerCase() === parsed.data.name.toLowerCase())) {
      throw new ApiError('conflict', `a contact named "${parsed.data.name}" exists; use another name or change that one`, 'name');
    }
    const contact = Contact.parse({ ...parsed.data, id: parsed.data.id ?? slug(parsed.data.name, taken) });
    s.contacts.push(contact);
    c.notifications = s;
    return contact;
  });
}

export async function updateContact(config: ConfigStore, id: string, patch: Partial<Omit<Contact, 'id'>>): Promise<Contact> {
  return config.update((c) => {
    const s = setupIn(c);
    const i = s.contacts.findIndex((x) => x.id === id);
    if (i < 0) throw new ApiError('not_found', `no contact "${id}"; see contacts.list`);
    if (patch.username !== undefined) checkUser(c, patch.username);
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const r = Contact.safeParse({ ...s.contacts[i], ...clean });
    if (!r.success) {
      const iss = r.error.issues[0]!;
      throw new ApiError('bad_request', `contact ${id}: ${iss.message}`, iss.path.join('.') || undefined);
    }
    s.contacts[i] = r.data;
    c.notifications = s;
    return r.data;
  });
}

export async function removeContact(config: ConfigStore, id: string): Promise<void> {
  const found = await config.update((c) => {
    const s = setupIn(c);
    const before = s.contacts.length;
    s.contacts = s.contacts.filter((x) => x.id !== id);
    for (const r of s.rotas) r.members = r.members.filter((m) => m !== id);
    s.rotas = s.rotas.filter((r) => r.members.length > 0);
    c.notifications = s;
    return s.contacts.length !== before;
  });
  if (!found) throw new ApiError('not_found', `no contact "${id}"; see contacts.list (gatehouse contacts list)`);
}

export function onCallView(s: NotifySetup): OnCallView {
  return { ladders: effectiveLadders(s), rotas: s.rotas, retrySeconds: s.retrySeconds };
}

/**
 * Check a whole list of rotas against the contacts and give the rotas to
 * store: a rota without an id gets one from its name. Names are unique
 * (case-insensitive), members are contacts and each is in a rota once.
 * Errors name the field as `rotas.<i>.<field>`, the console shows them there.
 */
export function checkRotas(contacts: Contact[], input: RotaInput[]): Rota[] {
  const ids = new Set(contacts.map((x) => x.id));
  const taken = new Set(input.flatMap((r) => (r.id ? [r.id] : [])));
  const seenIds = new Set<string>();
  const names = new Map<string, number>();
  return input.map((raw, i) => {
    const parsed = RotaInput.safeParse(raw);
    if (!parsed.success) {
      const iss = parsed.error.issues[0]!;
      const field = ['rotas', i, ...iss.path].join('.');
      throw new ApiError('bad_request', `rota ${i + 1}: ${iss.path.length ? `${iss.path.join('.')}: ` : ''}${iss.message}`, field);
    }
    const r = parsed.data;
    const id = r.id ?? slug(r.name, taken, 'rota');
    taken.add(id);
    if (seenIds.has(id)) throw new ApiError('bad_request', `two rotas have the id "${id}"`, `rotas.${i}.id`);
    seenIds.add(id);
    const key = r.name.toLowerCase();
    if (names.has(key))
      throw new ApiError('conflict', `a rota named "${r.name}" exists; use another name or change that one`, `rotas.${i}.name`);
    names.set(key, i);
    const unknown = r.members.filter((m) => !ids.has(m));
    if (unknown.length)
      throw new ApiError(
        'bad_request',
        `no contact ${unknown.map((u) => `"${u}"`).join(', ')}; add the contacts first (Settings → On call, gatehouse contacts add)`,
        `rotas.${i}.members`,
      );
    const twice = r.members.find((m, j) => r.members.indexOf(m) !== j);
    if (twice) {
      const name = contacts.find((c) => c.id === twice)?.name ?? twice;
      throw new ApiError('bad_request', `${name} is in the rota twice; each member takes one turn per round`, `rotas.${i}.members`);
    }
    return Rota.parse({ ...r, id });
  });
}

export async function setOnCall(
  config: ConfigStore,
  p: { ladders?: Ladder[] | null; rotas?: RotaInput[]; retrySeconds?: number[] },
): Promise<OnCallView> {
  if (p.ladders) {
    const seen = new Set<number>();
    for (const l of p.ladders) {
      if (seen.has(l.priority))
        throw new ApiError('bad_request', `two ladders for priority ${l.priority}; give one per priority`, 'ladders');
      seen.add(l.priority);
    }
  }
  return config.update((c) => {
    const s = setupIn(c);
    if (p.ladders === null) delete s.ladders;
    else if (p.ladders) s.ladders = p.ladders;
    if (p.rotas) s.rotas = checkRotas(s.contacts, p.rotas);
    if (p.retrySeconds) s.retrySeconds = p.retrySeconds;
    c.notifications = s;
    return onCallView(NotifySetup.parse(s));
  });
}

/** A contact by id, or by name (case-insensitive). */
export function findContact(contacts: Contact[], ref: string): Contact | undefined {
  const t = ref.trim();
  return contacts.find((c) => c.id === t) ?? contacts.find((c) => c.name.toLowerCase() === t.toLowerCase());
}

/** A rota by id, or by name (case-insensitive). */
export function findRota(rotas: Rota[], ref: string): Rota | undefined {
  return rotas.find((r) => r.id === ref) ?? rotas.find((r) => r.name.toLowerCase() === ref.trim().toLowerCase());
}

/**
 * checkRotas for a list whose rota at `index` is the one being changed: an
 * error about that rota names its own field (`members`, `periodHours.0`…, the
 * console's dialog shows it there), an error about another rota keeps
 * `rotas.<i>.<field>` and says which rota.
 */
function checkOne(contacts: Contact[], stored: Rota[], list: RotaInput[], index: number): Rota[] {
  try {
    return checkRotas(contacts, list);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const m = /^rotas\.(\d+)\.(.+)$/.exec(err.field ?? '');
    if (!m) throw err;
    if (Number(m[1]) !== index) {
      // named by its place in the stored list (`list` may have this rota moved to its end)
      const other = list[Number(m[1])]!;
      const at = stored.indexOf(other as Rota);
      throw new ApiError(
        err.code,
        `the rota ${other.name} needs fixing first: ${err.message.replace(/^rota \d+: /, '')}`,
        at < 0 ? err.field : `rotas.${at}.${m[2]}`,
      );
    }
    throw new ApiError(err.code, err.message.replace(/^rota \d+: /, ''), m[2]);
  }
}

/**
 * Add one rota (the console's rotas.add, the CLI's `rotas add`): one atomic
 * write of the config, so a change to another rota at the same time stays.
 * Errors name the new rota's own field.
 */
export async function addRota(config: ConfigStore, input: RotaInput): Promise<Rota> {
  return config.update((c) => {
    const s = setupIn(c);
    s.rotas = checkOne(s.contacts, s.rotas, [...s.rotas, input], s.rotas.length);
    c.notifications = s;
    return s.rotas.at(-1)!;
  });
}

/** How a rota is found: by id (the API), or by id or name (the CLI). */
export type RotaRef = { id: string } | string;
const rotaOf = (rotas: Rota[], ref: RotaRef) => (typeof ref === 'string' ? findRota(rotas, ref) : rotas.find((r) => r.id === ref.id));
const noRota = (ref: RotaRef) =>
  typeof ref === 'string'
    ? new ApiError('not_found', `no rota "${ref}"; see gatehouse rotas list`)
    : new ApiError('not_found', `no rota "${ref.id}": it was removed meanwhile; see oncall.get (Settings → On call)`);

/** Change one rota; fields left out stay. The other rotas are as stored at the moment of the write. */
export async function updateRota(config: ConfigStore, ref: RotaRef, patch: Partial<Omit<Rota, 'id'>>): Promise<Rota> {
  return config.update((c) => {
    const s = setupIn(c);
    const cur = rotaOf(s.rotas, ref);
    if (!cur) throw noRota(ref);
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const others = s.rotas.filter((r) => r !== cur);
    // checked last, so a clash with any other rota (its name) is this one's field
    const checked = checkOne(s.contacts, s.rotas, [...others, { ...cur, ...clean }], others.length);
    const mine = checked.at(-1)!;
    s.rotas = s.rotas.map((r) => (r === cur ? mine : r));
    c.notifications = s;
    return mine;
  });
}

/** Remove one rota. */
export async function removeRota(config: ConfigStore, ref: RotaRef): Promise<Rota> {
  return config.update((c) => {
    const s = setupIn(c);
    const cur = rotaOf(s.rotas, ref);
    if (!cur) throw noRota(ref);
    s.rotas = s.rotas.filter((r) => r !== cur);
    c.notifications = s;
    return cur;
  });
}

export function smtpView(s: NotifySetup): SmtpView {
  const m = s.smtp;
  return {
    configured: !!m,
    url: m?.url ?? null,
    from: m?.from ?? null,
    user: m?.user ?? null,
    hasPassword: !!m?.passwordSealed,
    tls: m?.tls ?? 'starttls',
    caFile: m?.caFile ?? null,
    publicUrl: s.publicUrl,
  };
}

export interface SmtpInput {
  url: string | null;
  from?: string;
  user?: string | null;
  /** A new password; null clears it; undefined keeps it. */
  password?: string | null;
  tls?: 'starttls' | 'implicit' | 'none';
  caFile?: string | null;
  publicUrl?: string | null;
}

/** Set (or with url null, remove) the SMTP server. The password is sealed before it is written. */
export async function setSmtp(config: ConfigStore, secrets: SecretBox, p: SmtpInput): Promise<SmtpView> {
  if (p.caFile && !p.caFile.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p.caFile)) {
    throw new ApiError('bad_request', 'the CA file must be an absolute path (the server reads it, not your shell)', 'caFile');
  }
  return config.update((c) => {
    const s = setupIn(c);
    if (p.publicUrl !== undefined) s.publicUrl = p.publicUrl;
    if (p.url === null) s.smtp = null;
    else {
      const cur = s.smtp;
      const from = p.from ?? cur?.from;
      if (!from)
        throw new ApiError(
          'bad_request',
          'give the sender address (--from gatehouse@example.org): SMTP servers refuse mail without one',
          'from',
        );
      const implicit = p.url.startsWith('smtps:');
      s.smtp = {
        url: p.url,
        from,
        user: p.user !== undefined ? p.user : (cur?.user ?? null),
        passwordSealed: p.password === null ? null : p.password !== undefined ? secrets.seal(p.password) : (cur?.passwordSealed ?? null),
        tls: p.tls ?? (implicit ? 'implicit' : (cur?.tls ?? 'starttls')),
        caFile: p.caFile !== undefined ? p.caFile : (cur?.caFile ?? null),
      };
      if (s.smtp.passwordSealed && !s.smtp.user)
        throw new ApiError('bad_request', 'a password without a user name: give --user too', 'user');
    }
    c.notifications = s;
    return smtpView(NotifySetup.parse(s));
  });
}

/** VAPID keys: made (and written) at the first start that has none. */
export async function ensureVapid(config: ConfigStore, secrets: SecretBox): Promise<NonNullable<NotifySetup['vapid']>> {
  const have = notifySetupOf(config.data).vapid;
  if (have) return have;
  return config.update((c) => {
    const s = setupIn(c);
    if (!s.vapid) s.vapid = newVapid(secrets);
    c.notifications = s;
    return s.vapid;
  });
}
