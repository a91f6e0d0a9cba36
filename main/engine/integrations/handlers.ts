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
import { hashToken, newToken } from './webhook.js';

export function integrationsConcern(d: IntegrationsDeps & { config: ConfigStore }): ModuleConcern<IntegrationsModule> {
  const integrations = new IntegrationsModule(d);
  return { module: integrations, handlers: integrationsHandlers(integrations, d.config) };
}

function integrationsHandlers(m: IntegrationsModule, config: ConfigStore): Concern['handlers'] {
  return {
    'access.search': (p) => m.access.search(p, p.cursor, p.limit),
    'integrations.status': () => m.status(),
    'integrations.addWebhook': async (p) => {
      const w = await addWebhook(config, p.name);
      return { ...w, url: '/api/webhook/sensors' };
    },
    'integrations.removeWebhook': async (p) => {
      await removeWebhook(config, p.id);
      return { ok: true as const };
    },
  };
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

/** Add an inbound webhook integration to a config; returns its id and the one-time token. */
export async function addWebhook(config: ConfigStore, name: string): Promise<{ id: string; name: string; token: string }> {
  const token = newToken();
  const id = await config.update((c) => {
    const setup = AlarmSetup.parse((c as { alarmSetup?: unknown }).alarmSetup ?? {});
    const wid = webhookId(name, new Set(setup.webhooks.map((w) => w.id)));
    setup.webhooks.push({ id: wid, name, tokenSha256: hashToken(token), disabled: false, createdAt: new Date().toISOString() });
    (c as { alarmSetup?: unknown }).alarmSetup = setup;
    return wid;
  });
  return { id, name, token };
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

