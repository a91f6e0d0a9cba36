/**
 * One ONVIF device as the engine talks to it: device, media, PTZ, relay and
 * event-service calls over SOAP, with the camera's clock offset applied to
 * every digest. Parsing is tolerant: missing fields become nulls, never
 * crashes.
 */
import crypto from 'node:crypto';
import type { OnvifProfileInfo } from '../../api/onvif.js';
import { OnvifError } from './errors.js';
import { NS, soapCall, type Credentials } from './soap.js';
import { parseSystemDateAndTime, parseDuration, formatDuration, type CameraClock } from './time.js';
import { all, attr, bool, child, esc, find, findAll, num, path, text, textAt, type XNode } from './xml.js';

export interface DeviceServices {
  device: string;
  media?: string;
  media2?: string;
  ptz?: string;
  events?: string;
  imaging?: string;
  deviceio?: string;
}

export interface DeviceInformation {
  manufacturer: string | null;
  model: string | null;
  firmwareVersion: string | null;
  serialNumber: string | null;
  hardwareId: string | null;
}

/** A media profile as GetProfiles reports it: the API's OnvifProfileInfo plus what onboarding needs. */
export interface MediaProfile extends OnvifProfileInfo {
  videoSourceToken: string | null;
  ptz: boolean;
}

export interface PtzPreset {
  token: string;
  name: string;
}
export interface PtzPosition {
  pan: number | null;
  tilt: number | null;
  zoom: number | null;
  moving: boolean | null;
}
export interface RelayOutput {
  token: string;
  mode: string | null;
  idleState: string | null;
}

export interface PullPoint {
  address: string;
  /** Raw XML of ReferenceParameters to echo in headers (Hikvision and others need it). */
  refParams: string;
  /** Lifetime granted by the camera, in ms. */
  lifetimeMs: number;
}

export interface NotificationItem {
  topic: string;
  utcTime: string | null;
  operation: string | null;
  source: Record<string, string>;
  data: Record<string, string>;
}

export interface DeviceCapabilities {
  ptz: boolean;
  events: boolean;
  pullPoint: boolean;
  relayOutputs: number;
  inputs: number;
}

export interface ClockSync {
  clock: CameraClock | null;
  /** Camera UTC minus our UTC, ms (corrected for half the round trip). */
  offsetMs: number;
  rttMs: number;
}

export interface DeviceOptions {
  xaddr: string;
  creds?: Credentials | null;
  timeoutMs?: number;
  services?: Partial<DeviceServices>;
  clockOffsetMs?: number;
}

/** Cameras behind NAT or with several interfaces advertise service addresses on a host we can't reach: keep our host. */
export function fixXaddr(service: string | undefined, device: string): string | undefined {
  if (!service) return undefined;
  const first = service.trim().split(/\s+/)[0];
  if (!first) return undefined;
  try {
    const s = new URL(first);
    const d = new URL(device);
    if (s.host !== d.host) {
      s.protocol = d.protocol;
      s.host = d.host;
    }
    return s.toString();
  } catch {
    return undefined;
  }
}

const A = {
  device: (op: string) => `${NS.tds}/${op}`,
  media: (op: string) => `${NS.trt}/${op}`,
  ptz: (op: string) => `${NS.tptz}/${op}`,
};

export class OnvifDevice {
  readonly xaddr: string;
  services: DeviceServices;
  clockOffsetMs: number;
  timeoutMs: number;
  private creds: Credentials | null;

  constructor(opts: DeviceOptions) {
    this.xaddr = opts.xaddr;
    this.creds = opts.creds ?? null;
    this.timeoutMs = opts.timeoutMs ?? 8000;
    this.clockOffsetMs = opts.clockOffsetMs ?? 0;
    this.services = { device: opts.xaddr, ...opts.services };
  }

  get host(): string {
    try {
      return new URL(this.xaddr).host;
    } catch {
      return this.xaddr;
    }
  }

  /** GetSystemDateAndTime needs no credentials: learn the camera's clock offset for the digest. */
  async syncClock(timeoutMs = this.timeoutMs): Promise<ClockSync> {
    const t0 = Date.now();
    const body = await soapCall({ url: this.services.device, action: A.device('GetSystemDateAndTime'), body: '<tds:GetSystemDateAndTime/>', timeoutMs });
    const t1 = Date.now();
    const clock = parseSystemDateAndTime(body);
    const rtt = t1 - t0;
    if (!clock) return { clock: null, offsetMs: this.clockOffsetMs, rttMs: rtt };
    // The camera's clock has whole seconds: its reading is on average 0.5 s behind.
    const offset = clock.utcMs + 500 - (t0 + rtt / 2);
    this.clockOffsetMs = Math.abs(offset) < 1000 ? 0 : offset;
    return { clock, offsetMs: offset, rttMs: rtt };
  }

  /**
   * An authenticated call. A NotAuthorized answer gets one retry after
   * re-reading the camera clock, since clock drift breaks the digest.
   */
  async call(
    service: keyof DeviceServices,
    action: string,
    body: string,
    opts: { timeoutMs?: number; header?: string; url?: string; signal?: AbortSignal; onRaw?: (xml: string) => void } = {},
  ): Promise<XNode> {
    const url = opts.url ?? this.services[service];
    if (!url) throw new OnvifError('unsupported', `${this.host} has no ${service} service`);
    const req = {
      url,
      action,
      body,
      creds: this.creds,
      clockOffsetMs: this.clockOffsetMs,
      timeoutMs: opts.timeoutMs ?? this.timeoutMs,
      header: opts.header,
      signal: opts.signal,
      onRaw: opts.onRaw,
    };
    try {
      return await soapCall(req);
    } catch (err) {
      if (!(err instanceof OnvifError) || err.kind !== 'auth' || !this.creds || opts.signal?.aborted) throw err;
      const before = this.clockOffsetMs;
      try {
        await this.syncClock(Math.min(this.timeoutMs, 5000));
      } catch {
        throw err;
      }
      if (Math.abs(this.clockOffsetMs - before) < 1000) throw err;
      return soapCall({ ...req, clockOffsetMs: this.clockOffsetMs });
    }
  }

  async getDeviceInformation(): Promise<DeviceInformation> {
    const b = await this.call('device', A.device('GetDeviceInformation'), '<tds:GetDeviceInformation/>');
    const r = child(b, 'GetDeviceInformationResponse');
    const t = (n: string) => textAt(r, n)?.trim() || null;
    return { manufacturer: t('Manufacturer'), model: t('Model'), firmwareVersion: t('FirmwareVersion'), serialNumber: t('SerialNumber'), hardwareId: t('HardwareId') };
  }

  /** Find the service addresses: GetCapabilities (every Profile S device), else GetServices. */
  async discoverServices(): Promise<DeviceCapabilities> {
    const caps: DeviceCapabilities = { ptz: false, events: false, pullPoint: false, relayOutputs: 0, inputs: 0 };
    let got = false;
    try {
      const b = await this.call('device', A.device('GetCapabilities'), '<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>');
      const c = path(b, 'GetCapabilitiesResponse', 'Capabilities');
      if (c !== undefined) {
        got = true;
        const x = (n: unknown) => fixXaddr(textAt(n, 'XAddr'), this.xaddr);
        const media = x(child(c, 'Media'));
        const ptz = x(child(c, 'PTZ'));
        const events = x(child(c, 'Events'));
        const imaging = x(child(c, 'Imaging'));
        const deviceio = x(path(c, 'Extension', 'DeviceIO'));
        this.services = { ...this.services, ...(media && { media }), ...(ptz && { ptz }), ...(events && { events }), ...(imaging && { imaging }), ...(deviceio && { deviceio }) };
        caps.ptz = !!ptz;
        caps.events = !!events;
        caps.pullPoint = bool(textAt(child(c, 'Events'), 'WSPullPointSupport')) ?? !!events;
        caps.relayOutputs = num(textAt(c, 'Device', 'IO', 'RelayOutputs')) ?? num(textAt(c, 'Extension', 'DeviceIO', 'RelayOutputs')) ?? 0;
        caps.inputs = num(textAt(c, 'Device', 'IO', 'InputConnectors')) ?? num(textAt(c, 'Extension', 'DeviceIO', 'DigitalInputs')) ?? 0;
      }
    } catch (err) {
      if (err instanceof OnvifError && (err.kind === 'auth' || err.kind === 'timeout' || err.kind === 'unreachable')) throw err;
    }
    if (!got || !this.services.media) {
      const b = await this.call('device', A.device('GetServices'), '<tds:GetServices><tds:IncludeCapability>true</tds:IncludeCapability></tds:GetServices>');
      for (const s of all(child(b, 'GetServicesResponse'), 'Service')) {
        const ns = textAt(s, 'Namespace')?.trim() ?? '';
        const xa = fixXaddr(textAt(s, 'XAddr'), this.xaddr);
        if (!xa) continue;
        if (ns === NS.trt) this.services.media = xa;
        else if (ns === 'http://www.onvif.org/ver20/media/wsdl') this.services.media2 = xa;
        else if (ns === NS.tptz) this.services.ptz = xa;
        else if (ns === NS.tev) this.services.events = xa;
        else if (ns === 'http://www.onvif.org/ver20/imaging/wsdl') this.services.imaging = xa;
        else if (ns === 'http://www.onvif.org/ver10/deviceIO/wsdl') this.services.deviceio = xa;
        if (ns === NS.tev) {
          const pp = find(s, 'Capabilities');
          caps.pullPoint = bool(attr(find(pp, 'Capabilities') ?? pp, 'WSPullPointSupport')) ?? true;
        }
      }
      caps.ptz = !!this.services.ptz;
      caps.events = !!this.services.events;
      if (caps.events && !caps.pullPoint) caps.pullPoint = true;
    }
    if (!this.services.media) throw new OnvifError('unsupported', `${this.host} reports no media service: it does not stream through ONVIF Profile S; add it with its RTSP URL instead`);
    return caps;
  }

  async getProfiles(): Promise<MediaProfile[]> {
    const b = await this.call('media', A.media('GetProfiles'), '<trt:GetProfiles/>');
    const out: MediaProfile[] = [];
    for (const p of all(child(b, 'GetProfilesResponse'), 'Profiles')) {
      const token = attr(p, 'token');
      if (!token) continue;
      const vec = child(p, 'VideoEncoderConfiguration');
      const res = child(vec, 'Resolution');
      out.push({
        token,
        name: textAt(p, 'Name')?.trim() || token,
        encoding: textAt(vec, 'Encoding')?.trim() || null,
        width: num(textAt(res, 'Width')),
        height: num(textAt(res, 'Height')),
        fps: num(textAt(vec, 'RateControl', 'FrameRateLimit')),
        bitrateKbps: num(textAt(vec, 'RateControl', 'BitrateLimit')),
        videoSourceToken: textAt(child(p, 'VideoSourceConfiguration'), 'SourceToken')?.trim() || null,
        ptz: child(p, 'PTZConfiguration') !== undefined,
      });
    }
    return out;
  }

  async getStreamUri(profileToken: string): Promise<string> {
    const b = await this.call(
      'media',
      A.media('GetStreamUri'),
      `<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>${esc(profileToken)}</trt:ProfileToken></trt:GetStreamUri>`,
    );
    const uri = textAt(b, 'GetStreamUriResponse', 'MediaUri', 'Uri')?.trim() ?? text(find(b, 'Uri'))?.trim();
    if (!uri) throw new OnvifError('fault', `${this.host} returned no stream URI for profile ${profileToken}`);
    return uri;
  }

  async getSnapshotUri(profileToken: string): Promise<string | null> {
    try {
      const b = await this.call('media', A.media('GetSnapshotUri'), `<trt:GetSnapshotUri><trt:ProfileToken>${esc(profileToken)}</trt:ProfileToken></trt:GetSnapshotUri>`);
      return textAt(b, 'GetSnapshotUriResponse', 'MediaUri', 'Uri')?.trim() || text(find(b, 'Uri'))?.trim() || null;
    } catch (err) {
      if (err instanceof OnvifError && (err.kind === 'fault' || err.kind === 'unsupported')) return null;
      throw err;
    }
  }

  // ---- PTZ ----

  async continuousMove(profileToken: string, pan: number, tilt: number, zoom: number, timeoutMs?: number): Promise<void> {
    const f = (v: number) => (Math.round(v * 1000) / 1000).toString();
    // Only send the axes that move: cameras without zoom reject a Zoom element.
    const pt = pan !== 0 || tilt !== 0 ? `<tt:PanTilt x="${f(pan)}" y="${f(tilt)}"/>` : '';
    const z = zoom !== 0 ? `<tt:Zoom x="${f(zoom)}"/>` : '';
    const to = timeoutMs ? `<tptz:Timeout>${formatDuration(timeoutMs)}</tptz:Timeout>` : '';
    await this.call('ptz', A.ptz('ContinuousMove'), `<tptz:ContinuousMove><tptz:ProfileToken>${esc(profileToken)}</tptz:ProfileToken><tptz:Velocity>${pt}${z}</tptz:Velocity>${to}</tptz:ContinuousMove>`);
  }

  async stop(profileToken: string): Promise<void> {
    await this.call('ptz', A.ptz('Stop'), `<tptz:Stop><tptz:ProfileToken>${esc(profileToken)}</tptz:ProfileToken><tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom></tptz:Stop>`);
  }

  async getPresets(profileToken: string): Promise<PtzPreset[]> {
    const b = await this.call('ptz', A.ptz('GetPresets'), `<tptz:GetPresets><tptz:ProfileToken>${esc(profileToken)}</tptz:ProfileToken></tptz:GetPresets>`);
    const out: PtzPreset[] = [];
    for (const p of all(child(b, 'GetPresetsResponse'), 'Preset')) {
      const token = attr(p, 'token');
      if (token) out.push({ token, name: textAt(p, 'Name')?.trim() || token });
    }
    return out;
  }

  async gotoPreset(profileToken: string, presetToken: string): Promise<void> {
    await this.call('ptz', A.ptz('GotoPreset'), `<tptz:GotoPreset><tptz:ProfileToken>${esc(profileToken)}</tptz:ProfileToken><tptz:PresetToken>${esc(presetToken)}</tptz:PresetToken></tptz:GotoPreset>`);
  }

  async setPreset(profileToken: string, name: string, presetToken?: string): Promise<string> {
    const tok = presetToken ? `<tptz:PresetToken>${esc(presetToken)}</tptz:PresetToken>` : '';
    const b = await this.call('ptz', A.ptz('SetPreset'), `<tptz:SetPreset><tptz:ProfileToken>${esc(profileToken)}</tptz:ProfileToken><tptz:PresetName>${esc(name)}</tptz:PresetName>${tok}</tptz:SetPreset>`);
    return textAt(b, 'SetPresetResponse', 'PresetToken')?.trim() || presetToken || name;
  }

  async gotoHome(profileToken: string): Promise<void> {
    await this.call('ptz', A.ptz('GotoHomePosition'), `<tptz:GotoHomePosition><tptz:ProfileToken>${esc(profileToken)}</tptz:ProfileToken></tptz:GotoHomePosition>`);
  }

  async getPtzStatus(profileToken: string): Promise<PtzPosition> {
    const b = await this.call('ptz', A.ptz('GetStatus'), `<tptz:GetStatus><tptz:ProfileToken>${esc(profileToken)}</tptz:ProfileToken></tptz:GetStatus>`);
    const st = path(b, 'GetStatusResponse', 'PTZStatus');
    const pos = child(st, 'Position');
    const ms = child(st, 'MoveStatus');
    const moving = [textAt(ms, 'PanTilt'), textAt(ms, 'Zoom')].filter((x): x is string => !!x);
    return {
      pan: num(attr(child(pos, 'PanTilt'), 'x')),
      tilt: num(attr(child(pos, 'PanTilt'), 'y')),
      zoom: num(attr(child(pos, 'Zoom'), 'x')),
      moving: moving.length ? moving.some((m) => /moving/i.test(m)) : null,
    };
  }

  // ---- Relay outputs ----

  async getRelayOutputs(): Promise<RelayOutput[]> {
    const b = await this.call('device', A.device('GetRelayOutputs'), '<tds:GetRelayOutputs/>');
    return all(child(b, 'GetRelayOutputsResponse'), 'RelayOutputs')
      .map((r) => ({
        token: attr(r, 'token') ?? '',
        mode: textAt(r, 'Properties', 'Mode')?.trim() || null,
        idleState: textAt(r, 'Properties', 'IdleState')?.trim() || null,
      }))
      .filter((r) => r.token);
  }

  async setRelayOutputState(token: string, active: boolean): Promise<void> {
    await this.call(
      'device',
      A.device('SetRelayOutputState'),
      `<tds:SetRelayOutputState><tds:RelayOutputToken>${esc(token)}</tds:RelayOutputToken><tds:LogicalState>${active ? 'active' : 'inactive'}</tds:LogicalState></tds:SetRelayOutputState>`,
    );
  }

  // ---- Events (pull point) ----

  async createPullPoint(lifetimeMs: number): Promise<PullPoint> {
    let raw = '';
    const b = await this.call(
      'events',
      `${NS.tev}/EventPortType/CreatePullPointSubscriptionRequest`,
      `<tev:CreatePullPointSubscription><tev:InitialTerminationTime>${formatDuration(lifetimeMs)}</tev:InitialTerminationTime></tev:CreatePullPointSubscription>`,
      { onRaw: (x) => (raw = x) },
    );
    const r = child(b, 'CreatePullPointSubscriptionResponse');
    const ref = child(r, 'SubscriptionReference');
    const address = fixXaddr(textAt(ref, 'Address'), this.xaddr);
    if (!address) throw new OnvifError('fault', `${this.host} created a pull-point subscription without an address`);
    return { address, refParams: refParamsXml(raw), lifetimeMs: lifetimeOf(r, lifetimeMs) };
  }

  private addressing(sub: PullPoint, action: string): string {
    return `<wsa:Action>${esc(action)}</wsa:Action><wsa:MessageID>urn:uuid:${crypto.randomUUID()}</wsa:MessageID><wsa:To>${esc(sub.address)}</wsa:To>${sub.refParams}`;
  }

  async pullMessages(sub: PullPoint, waitMs: number, limit: number, signal?: AbortSignal): Promise<NotificationItem[]> {
    const action = `${NS.tev}/PullPointSubscription/PullMessagesRequest`;
    const b = await this.call(
      'events',
      action,
      `<tev:PullMessages><tev:Timeout>${formatDuration(waitMs)}</tev:Timeout><tev:MessageLimit>${limit}</tev:MessageLimit></tev:PullMessages>`,
      { url: sub.address, header: this.addressing(sub, action), timeoutMs: waitMs + this.timeoutMs, signal },
    );
    const r = child(b, 'PullMessagesResponse');
    if (r === undefined) throw new OnvifError('garbage', `${this.host} answered PullMessages without a PullMessagesResponse`);
    return all(r, 'NotificationMessage').map(parseNotification);
  }

  async renew(sub: PullPoint, lifetimeMs: number): Promise<number> {
    const action = 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest';
    const b = await this.call('events', action, `<wsnt:Renew><wsnt:TerminationTime>${formatDuration(lifetimeMs)}</wsnt:TerminationTime></wsnt:Renew>`, {
      url: sub.address,
      header: this.addressing(sub, action),
    });
    return lifetimeOf(child(b, 'RenewResponse'), lifetimeMs);
  }

  async unsubscribe(sub: PullPoint, timeoutMs = 2000): Promise<void> {
    const action = 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest';
    await this.call('events', action, '<wsnt:Unsubscribe/>', { url: sub.address, header: this.addressing(sub, action), timeoutMs });
  }
}

/** Lifetime from CurrentTime/TerminationTime (both in the camera's clock), else what we asked for. */
function lifetimeOf(r: unknown, asked: number): number {
  const cur = Date.parse(textAt(r, 'CurrentTime') ?? '');
  const term = Date.parse(textAt(r, 'TerminationTime') ?? '');
  if (Number.isFinite(cur) && Number.isFinite(term) && term > cur) return term - cur;
  const d = parseDuration(textAt(r, 'TerminationTime'));
  return d && d > 0 ? d : asked;
}

/**
 * The children of SubscriptionReference/ReferenceParameters, verbatim from
 * the answer, with the namespace declarations they rely on copied onto each
 * element, so they can be echoed as SOAP headers (WS-Addressing 1.0 rule).
 */
export function refParamsXml(raw: string): string {
  const m = /<(?:([\w.-]+):)?ReferenceParameters\b([^>]*)>([\s\S]*?)<\/(?:[\w.-]+:)?ReferenceParameters\s*>/.exec(raw);
  if (!m) return '';
  const inner = m[3]!.trim();
  if (!inner) return '';
  const decls = new Map<string, string>();
  for (const d of raw.matchAll(/\sxmlns:([\w.-]+)\s*=\s*("[^"]*"|'[^']*')/g)) if (!decls.has(d[1]!)) decls.set(d[1]!, d[2]!);
  const defaultNs = /\sxmlns\s*=\s*("[^"]*"|'[^']*')/.exec(m[2]!)?.[1];
  return inner.replace(/<([\w.-]+)(?::([\w.-]+))?(?=[\s/>])/g, (tag, a: string, b: string | undefined) => {
    if (b === undefined) return defaultNs ? `${tag} xmlns=${defaultNs}` : tag;
    const uri = decls.get(a);
    return uri ? `${tag} xmlns:${a}=${uri}` : tag;
  });
}

function simpleItems(n: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of findAll(n, 'SimpleItem')) {
    const name = attr(it, 'Name');
    if (name) out[name] = attr(it, 'Value') ?? '';
  }
  for (const it of findAll(n, 'ElementItem')) {
    const name = attr(it, 'Name');
    if (name && !(name in out)) out[name] = '';
  }
  return out;
}

export function parseNotification(nm: unknown): NotificationItem {
  const topicNode = child(nm, 'Topic');
  const topic = (text(topicNode) ?? '').trim();
  // tt:Message sits inside wsnt:Message; some firmwares put it directly.
  const outer = child(nm, 'Message');
  const msg = child(outer, 'Message') ?? outer;
  return {
    topic,
    utcTime: attr(msg, 'UtcTime') ?? null,
    operation: attr(msg, 'PropertyOperation') ?? null,
    source: simpleItems(child(msg, 'Source')),
    data: simpleItems(child(msg, 'Data')),
  };
}
