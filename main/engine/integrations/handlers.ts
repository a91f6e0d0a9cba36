/**
 * access.search and integrations.* request handlers, the webhook
 * integrations in the config (shared with the CLI), and the integrations
 * module (index.ts).
 */
import { AlarmSetup } from '../../api/alarms.js';
import { ApiError } from '../../api/contract.js';
import type { Concern, ModuleConcern } from '../concern.js';
import type { ConfigStore } from '../config/store.js';
import { IntegrationsModule, type IntegrationsDeps } from './index.js';
import { removeDoor, removeSensor, setDoor, setMqttUrl, setNotify, setSensor, setSop, setupView } from './setup.js';
import { hashToken, newToken } from './webhook.js';

export function integrationsConcern(d: IntegrationsDeps & { config: ConfigStore }): ModuleConcern<IntegrationsModule> {
  const integrations = new IntegrationsModule({ ...d, onConfigChange: (fn) => d.config.onChange(() => fn()) });
  return { module: integrations, handlers: integrationsHandlers(integrations, d.config) };
}

function integrationsHandlers(m: IntegrationsModule, config: ConfigStore): Concern['handlers'] {
  return {
    'access.search': (p) => m.access.search(p, p.cursor, p.limit),
    'integrations.status': () => m.status(),
    'integrations.addWebhook': async (p) => {
      const w = await addWebhook(config, p.name, p.scopes);
      return { ...w, url: w.scopes.includes('sensors') ? '/api/webhook/sensors' : '/api/webhook/arming' };
    },
    'integrations.removeWebhook': async (p) => {
      await removeWebhook(config, p.id);
      return { ok: true as const };
    },
    'alarmSetup.get': () => view(),
    'alarmSetup.setDoor': async (p) => {
      await setDoor(config, p.door, { name: p.name, zone: p.zone, cameraIds: p.cameraIds });
      return view();
    },
    'alarmSetup.removeDoor': async (p) => {
      await removeDoor(config, p.door);
      return view();
    },
    'alarmSetup.setSensor': async (p) => {
      await setSensor(config, p.id, { name: p.name, zone: p.zone, cameraIds: p.cameraIds });
      return view();
    },
    'alarmSetup.removeSensor': async (p) => {
      await removeSensor(config, p.id);
      return view();
    },
    'alarmSetup.setMqtt': async (p) => {
      await setMqttUrl(config, p.url, { username: p.username, password: p.password });
      return view();
    },
    'alarmSetup.setNotify': async (p) => {
      await setNotify(config, p.targets);
      return view();
    },
    'alarmSetup.setSop': async (p) => {
      await setSop(config, p.type, p.sop);
      return view();
    },
  };
  function view() {
    return setupView(config.data, m.mqttUrl());
  }
}

function webhookId(name: string, taken: Set<string>): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56) || 'webhook';
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}

/** Add an inbound webhook integration to a config; returns its id and the one-time token. Default scope: sensor messages. */
export async function addWebhook(config: ConfigStore, name: string, scopes: ('sensors' | 'arming')[] = ['sensors']): Promise<{ id: string; name: string; token: string; scopes: ('sensors' | 'arming')[] }> {
  const token = newToken();
  const uniq = [...new Set(scopes)];
  const id = await config.update((c) => {
    const setup = AlarmSetup.parse((c as { alarmSetup?: unknown }).alarmSetup ?? {});
    const wid = webhookId(name, new Set(setup.webhooks.map((w) => w.id)));
    setup.webhooks.push({ id: wid, name, tokenSha256: hashToken(token), disabled: false, createdAt: new Date().toISOString(), ...(uniq.join() === 'sensors' ? {} : { scopes: uniq }) });
    (c as { alarmSetup?: unknown }).alarmSetup = setup;
    return wid;
  });
  return { id, name, token, scopes: uniq };
}

export async function removeWebhook(config: ConfigStore, id: string): Promise<void> {
  const found = await config.update((c) => {
    const setup = AlarmSetup.parse((c as { alarmSetup?: unknown }).alarmSetup ?? {});
    const before = setup.webhooks.length;
    setup.webhooks = setup.webhooks.filter((w) => w.id !== id);
    (c as { alarmSetup?: unknown }).alarmSetup = setup;
    return setup.webhooks.length !== before;
  });
  if (!found) throw new ApiError('not_found', `no webhook integration "${id}"; see integrations.status for the list`);
}

