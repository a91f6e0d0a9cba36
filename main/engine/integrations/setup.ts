/**
 * The alarm setup in the config (alarmSetup): doors and sensors mapped to
 * cameras, the broker URL, outbound notice URLs, the site's procedures per
 * alarm type. Shared by the alarmSetup.* handlers and the CLI (doors,
 * sensors); every change goes through the config store (lock, re-read,
 * validate, atomic write), so a running server has it within a second.
 */
import { ALARM_TYPES, ALARM_TYPE_LABELS, AlarmSetup, type AlarmType, type NoticeEvent } from '../../api/alarms.js';
import { ApiError } from '../../api/contract.js';
import type { AlarmSetupView, WebhookScope } from '../../api/rules.js';
import { findCamera } from '../cameras/catalog.js';
import { alarmSetupOf, type ConfigFile } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import { DEFAULT_SOPS } from '../rules/defaults.js';
import { publicUrl, validateBrokerUrl } from './mqtt.js';

const withSetup = <T>(config: ConfigStore, fn: (s: AlarmSetup, c: ConfigFile) => T): Promise<T> =>
  config.update((c) => {
    const s = AlarmSetup.parse(c.alarmSetup ?? {});
    const r = fn(s, c);
    c.alarmSetup = s;
    return r;
  });

/** Camera names or ids → ids; throws naming the first unknown one. */
export function cameraIdsOf(cfg: ConfigFile, refs: string[], field = 'cameraIds'): string[] {
  return [
    ...new Set(
      refs.map((r, i) => {
        const cam = findCamera(cfg.cameras, r);
        if (!cam)
          throw new ApiError(
            'not_found',
            `no camera "${r}" (cameras: ${cfg.cameras.map((c) => c.name).join(', ') || 'none yet'})`,
            `${field}[${i}]`,
          );
        return cam.id;
      }),
    ),
  ];
}

export interface MappingInput {
  name?: string | null;
  zone?: string | null;
  cameraIds: string[];
}

/** Map a door (the `door` of badge messages, or a door sensor's id) to cameras; adds or replaces it. */
export function setDoor(config: ConfigStore, door: string, p: MappingInput): Promise<AlarmSetup['doors'][number]> {
  return withSetup(config, (s, c) => {
    const cameraIds = cameraIdsOf(c, p.cameraIds);
    const old = s.doors.find((d) => d.door === door);
    const entry = { door, cameraIds, ...pick(p, old) };
    s.doors = old ? s.doors.map((d) => (d === old ? entry : d)) : [...s.doors, entry];
    return entry;
  });
}

export function removeDoor(config: ConfigStore, door: string): Promise<void> {
  return withSetup(config, (s) => {
    if (!s.doors.some((d) => d.door === door))
      throw new ApiError('not_found', `no door "${door}" in the alarm setup (see "gatehouse doors list")`, 'door');
    s.doors = s.doors.filter((d) => d.door !== door);
  });
}

export function setSensor(config: ConfigStore, id: string, p: MappingInput): Promise<AlarmSetup['sensors'][number]> {
  return withSetup(config, (s, c) => {
    const cameraIds = cameraIdsOf(c, p.cameraIds);
    const old = s.sensors.find((x) => x.id === id);
    const entry = { id, cameraIds, ...pick(p, old) };
    s.sensors = old ? s.sensors.map((x) => (x === old ? entry : x)) : [...s.sensors, entry];
    return entry;
  });
}

export function removeSensor(config: ConfigStore, id: string): Promise<void> {
  return withSetup(config, (s) => {
    if (!s.sensors.some((x) => x.id === id))
      throw new ApiError('not_found', `no sensor "${id}" in the alarm setup (see "gatehouse sensors list")`, 'id');
    s.sensors = s.sensors.filter((x) => x.id !== id);
  });
}

/** Name and zone: given ones replace, null removes, absent keeps the old. */
function pick(p: MappingInput, old: { name?: string; zone?: string } | undefined): { name?: string; zone?: string } {
  const out: { name?: string; zone?: string } = {};
  const name = p.name === undefined ? old?.name : (p.name ?? undefined);
  const zone = p.zone === undefined ? old?.zone : (p.zone ?? undefined);
  if (name) out.name = name;
  if (zone) out.zone = zone;
  return out;
}

/**
 * Set the broker. The URL comes without credentials (they would end up in the audit trail and on screens);
 * a user and password are given apart and stored in the URL of the config (as `serve --mqtt` takes them).
 * Without new ones, those stored for the same broker are kept.
 */
export function setMqttUrl(
  config: ConfigStore,
  url: string | null,
  creds: { username?: string | null; password?: string | null } = {},
): Promise<void> {
  if (!url) return withSetup(config, (s) => void (s.mqtt = { ...s.mqtt, url: null }));
  validateBrokerUrl(url);
  const u = new URL(url);
  if (u.username || u.password)
    throw new ApiError('bad_request', 'put the broker user and password in their own fields, not in the URL', 'url');
  return withSetup(config, (s) => {
    let user = creds.username ?? null;
    let pass = creds.password ?? null;
    if (creds.username === undefined && creds.password === undefined && s.mqtt.url) {
      try {
        const old = new URL(s.mqtt.url);
        old.username = '';
        old.password = '';
        if (old.toString() === u.toString()) {
          const prev = new URL(s.mqtt.url);
          user = decodeURIComponent(prev.username) || null;
          pass = decodeURIComponent(prev.password) || null;
        }
      } catch {
        /* a stored URL that does not parse: nothing to keep */
      }
    }
    if (user) u.username = encodeURIComponent(user);
    if (pass) u.password = encodeURIComponent(pass);
    s.mqtt = { ...s.mqtt, url: u.toString().replace(/\/$/, '') };
  });
}

export function setNotify(
  config: ConfigStore,
  targets: { url: string; events: NoticeEvent[]; token?: string | null }[],
): Promise<void> {
  return withSetup(config, (s) => {
    const seen = new Set<string>();
    s.notify = targets.map((t, i) => {
      if (seen.has(t.url)) throw new ApiError('bad_request', `the notice URL ${t.url} is listed twice`, `targets[${i}].url`);
      seen.add(t.url);
      const old = s.notify.find((n) => n.url === t.url);
      return { url: t.url, events: [...new Set(t.events)], token: t.token === undefined ? (old?.token ?? null) : t.token };
    });
  });
}

export function setSop(config: ConfigStore, type: AlarmType, sop: string | null): Promise<void> {
  return withSetup(config, (s) => {
    const sops = { ...(s.sops ?? {}) };
    if (sop === null || !sop.trim()) delete sops[type];
    else sops[type] = sop;
    s.sops = Object.keys(sops).length ? sops : undefined;
  });
}

/** What the setup view shows: no token, no token hash; the broker URL without its password. */
export function setupView(cfg: ConfigFile, mqtt: { url: string | null; overridden: boolean } | null): AlarmSetupView {
  const s = alarmSetupOf(cfg);
  return {
    mqtt: {
      url: s.mqtt.url ? publicUrl(s.mqtt.url) : null,
      hasCredentials: !!s.mqtt.url && /^[a-z]+:\/\/[^/@]+@/i.test(s.mqtt.url),
      overridden: mqtt?.overridden && mqtt.url ? publicUrl(mqtt.url) : null,
      clientId: s.mqtt.clientId,
      sensorPrefix: s.mqtt.sensorPrefix,
      alarmPrefix: s.mqtt.alarmPrefix,
    },
    doors: s.doors.map((d) => ({ door: d.door, name: d.name ?? null, zone: d.zone ?? null, cameraIds: d.cameraIds })),
    sensors: s.sensors.map((x) => ({ id: x.id, name: x.name ?? null, zone: x.zone ?? null, cameraIds: x.cameraIds })),
    webhooks: s.webhooks.map((w) => ({
      id: w.id,
      name: w.name,
      scopes: (w.scopes ?? ['sensors']) as WebhookScope[],
      disabled: w.disabled,
      createdAt: w.createdAt,
    })),
    notify: s.notify.map((n) => ({ url: n.url, events: n.events, hasToken: !!n.token })),
    sops: ALARM_TYPES.map((type) => ({
      type,
      label: ALARM_TYPE_LABELS[type],
      sop: s.sops?.[type] ?? DEFAULT_SOPS[type],
      custom: s.sops?.[type] !== undefined,
    })),
    entryGraceSeconds: s.entryGraceSeconds,
    preRollSeconds: s.preRollSeconds,
    postRollSeconds: s.postRollSeconds,
  };
}
