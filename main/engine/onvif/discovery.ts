/**
 * WS-Discovery: multicast (and optional unicast) Probe for ONVIF
 * NetworkVideoTransmitters, collected for a fixed time, deduplicated by
 * endpoint reference, and enriched with GetDeviceInformation where the
 * device allows it without credentials (else from its Scopes).
 * A probe always resolves at its deadline; it never hangs.
 */
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import os from 'node:os';
import type { DiscoveredDeviceInfo } from '../../api/onvif.js';
import { OnvifDevice } from './client.js';
import { OnvifError } from './errors.js';
import { all, child, parseXml, path, text, textAt } from './xml.js';
import { logger } from '../log.js';

const log = logger('onvif.discovery');

export const WSD_MULTICAST = '239.255.255.250';
export const WSD_PORT = 3702;

/**
 * A device that answered a probe: the API's DiscoveredDeviceInfo, where the
 * engine fills in `cameraId` (the camera already added for it) afterwards.
 */
export type DiscoveredDevice = Omit<DiscoveredDeviceInfo, 'cameraId'> & { cameraId?: string | null };

export interface ProbeOptions {
  timeoutMs: number;
  /** UDP port devices listen on (3702; tests use another). */
  port?: number;
  /** IPv4 addresses of the interfaces to probe from. Default: every non-internal IPv4 interface. */
  interfaces?: string[];
  /** Also send the probe to these hosts directly (for networks without multicast). */
  unicast?: string[];
  /** Ask each device for GetDeviceInformation (default true). */
  enrich?: boolean;
}

export function probeMessage(type: 'dn:NetworkVideoTransmitter' | 'tds:Device', messageId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ` +
    `xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">` +
    `<s:Header><a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>` +
    `<a:MessageID>${messageId}</a:MessageID>` +
    `<a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>` +
    `<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>` +
    `<s:Body><d:Probe><d:Types>${type}</d:Types></d:Probe></s:Body></s:Envelope>`
  );
}

/** Scope values by kind: onvif://www.onvif.org/<kind>/<value>. */
export function scopeValue(scopes: string[], kind: string): string | null {
  const re = new RegExp(`^onvif://www\\.onvif\\.org/${kind}/(.+)$`, 'i');
  for (const s of scopes) {
    const m = re.exec(s);
    if (m) {
      try {
        return decodeURIComponent(m[1]!.replace(/\+/g, ' ')).trim() || null;
      } catch {
        return m[1]!;
      }
    }
  }
  return null;
}

function chooseXaddr(xaddrs: string[], from: string): string | null {
  const parsed = xaddrs
    .map((x) => {
      try {
        return new URL(x);
      } catch {
        return null;
      }
    })
    .filter((u): u is URL => !!u && (u.protocol === 'http:' || u.protocol === 'https:'));
  const v4 = parsed.filter((u) => !u.hostname.includes(':') && !u.hostname.startsWith('['));
  const same = v4.find((u) => u.hostname === from);
  return (same ?? v4[0] ?? parsed[0])?.toString() ?? null;
}

/** Parse one datagram into zero or more probe matches. Garbage yields []. */
export function parseProbeMatches(xml: string, from: string): Omit<DiscoveredDevice, 'manufacturer' | 'model' | 'firmware' | 'serial' | 'infoFrom'>[] {
  let doc;
  try {
    doc = parseXml(xml);
  } catch {
    return [];
  }
  const body = path(doc, 'Envelope', 'Body');
  const out: Omit<DiscoveredDevice, 'manufacturer' | 'model' | 'firmware' | 'serial' | 'infoFrom'>[] = [];
  for (const pm of all(child(body, 'ProbeMatches'), 'ProbeMatch')) {
    const endpoint = (textAt(pm, 'EndpointReference', 'Address') ?? '').trim();
    const xaddrs = (textAt(pm, 'XAddrs') ?? '').trim().split(/\s+/).filter(Boolean);
    const xaddr = chooseXaddr(xaddrs, from);
    if (!xaddr) continue;
    const scopes = (text(child(pm, 'Scopes')) ?? '').trim().split(/\s+/).filter(Boolean);
    const types = (text(child(pm, 'Types')) ?? '').trim().split(/\s+/).filter(Boolean);
    out.push({
      endpoint: endpoint || xaddr,
      xaddr,
      xaddrs,
      address: from,
      types,
      scopes,
      name: scopeValue(scopes, 'name'),
      hardware: scopeValue(scopes, 'hardware'),
      location: scopeValue(scopes, 'location'),
    });
  }
  return out;
}

export function defaultInterfaces(): string[] {
  const out: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out.length ? out : ['127.0.0.1'];
}

/** Run one probe. Resolves with the devices found when `timeoutMs` is up. */
export async function discover(opts: ProbeOptions): Promise<DiscoveredDevice[]> {
  const timeoutMs = Math.max(200, Math.min(opts.timeoutMs, 60_000));
  const deadline = Date.now() + timeoutMs;
  const port = opts.port ?? WSD_PORT;
  const ifaces = opts.interfaces?.length ? opts.interfaces : defaultInterfaces();
  const found = new Map<string, DiscoveredDevice>();
  const enrichments: Promise<void>[] = [];
  const sockets: dgram.Socket[] = [];

  const onMatch = (m: ReturnType<typeof parseProbeMatches>[number]) => {
    const key = m.endpoint.toLowerCase();
    const prev = found.get(key);
    if (prev) {
      for (const x of m.xaddrs) if (!prev.xaddrs.includes(x)) prev.xaddrs.push(x);
      return;
    }
    const dev: DiscoveredDevice = {
      ...m,
      manufacturer: scopeValue(m.scopes, 'manufacturer') ?? scopeValue(m.scopes, 'mfr') ?? m.name,
      model: m.hardware,
      firmware: scopeValue(m.scopes, 'firmware'),
      serial: null,
      infoFrom: 'scopes',
    };
    found.set(key, dev);
    if (opts.enrich === false) return;
    const left = deadline - Date.now() - 50;
    if (left < 100) return;
    enrichments.push(
      new OnvifDevice({ xaddr: dev.xaddr, timeoutMs: Math.min(left, 3000) })
        .getDeviceInformation()
        .then((info) => {
          dev.manufacturer = info.manufacturer ?? dev.manufacturer;
          dev.model = info.model ?? dev.model;
          dev.firmware = info.firmwareVersion ?? dev.firmware;
          dev.serial = info.serialNumber;
          dev.infoFrom = 'device';
        })
        .catch((err) => {
          if (!(err instanceof OnvifError && err.kind === 'auth')) log.debug(`GetDeviceInformation at ${dev.xaddr}: ${(err as Error).message}`);
        }),
    );
  };

  const probes = [probeMessage('dn:NetworkVideoTransmitter', `urn:uuid:${crypto.randomUUID()}`), probeMessage('tds:Device', `urn:uuid:${crypto.randomUUID()}`)];

  for (const iface of ifaces) {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    sockets.push(s);
    s.on('error', (err) => log.warn(`discovery socket on ${iface}: ${err.message}`));
    s.on('message', (msg, rinfo) => {
      if (msg.length > 64 * 1024) return;
      for (const m of parseProbeMatches(msg.toString('utf8'), rinfo.address)) onMatch(m);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(0, iface, () => {
          s.off('error', reject);
          resolve();
        });
      });
      s.setMulticastInterface(iface);
      s.setMulticastTTL(1);
      s.setMulticastLoopback(true);
    } catch (err) {
      log.warn(`cannot probe from ${iface}: ${(err as Error).message}`);
      continue;
    }
    const targets = [WSD_MULTICAST, ...(opts.unicast ?? [])];
    const send = () => {
      for (const t of targets) for (const p of probes) s.send(p, port, t, (err) => err && log.debug(`probe to ${t}:${port} from ${iface}: ${err.message}`));
    };
    send();
    // UDP may drop a datagram: WS-Discovery repeats the probe once.
    const again = setTimeout(send, Math.min(250, timeoutMs / 4));
    again.unref();
  }

  await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
  for (const s of sockets) {
    try {
      s.close();
    } catch {
      /* already closed */
    }
  }
  // Enrichments were started with timeouts inside the deadline; give stragglers no extra time.
  await Promise.race([Promise.allSettled(enrichments), new Promise((r) => setTimeout(r, 50))]);
  return [...found.values()].sort((a, b) => a.xaddr.localeCompare(b.xaddr));
}
