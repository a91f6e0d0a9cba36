import { describe, expect, it } from 'vitest';
import { parseNotification, refParamsXml, fixXaddr, type MediaProfile } from './client.js';
import { parseProbeMatches, scopeValue } from './discovery.js';
import { chooseProfiles, cleanStreamUri, normalizeXaddr, suggestName } from './onboard.js';
import { httpDigest, passwordDigest, readSoapAnswer } from './soap.js';
import { formatDuration, parseDuration, parseSystemDateAndTime, posixTzToUtcHours } from './time.js';
import { mapNotification, plainTopic } from './topics.js';
import { parseXml } from './xml.js';
import { OnvifError } from './errors.js';

const ans = (body: string, status = 200) => ({ status, headers: {}, body });

describe('WS-UsernameToken digest', () => {
  it('is Base64(SHA1(nonce + created + password)) (ONVIF core spec example)', () => {
    // Example from the ONVIF Application Programmer's Guide.
    const nonce = Buffer.from('LKqI6G/AikKCQrN0zqZFlg==', 'base64');
    expect(passwordDigest(nonce, '2010-09-16T07:50:45Z', 'userpassword')).toBe('tuOSpGlFlIXsozq4HFNeeGeFLEI=');
  });
});

describe('HTTP digest', () => {
  it('answers an RFC 2617 qop=auth challenge', () => {
    const h = httpDigest('Digest realm="cam", nonce="abc", qop="auth", opaque="xyz"', { username: 'u', password: 'p' }, 'POST', '/onvif/device_service')!;
    expect(h).toMatch(/^Digest username="u", realm="cam", nonce="abc", uri="\/onvif\/device_service", response="[0-9a-f]{32}"/);
    expect(h).toContain('qop=auth');
    expect(h).toContain('opaque="xyz"');
    expect(httpDigest('Basic realm="x"', { username: 'u', password: 'p' }, 'POST', '/')).toBeNull();
  });
});

describe('SOAP answers', () => {
  it('reads any namespace prefix', () => {
    const body = readSoapAnswer(
      ans('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><x:GetDeviceInformationResponse xmlns:x="urn:x"><x:Model>M</x:Model></x:GetDeviceInformationResponse></e:Body></e:Envelope>'),
      'h',
      'op',
    );
    expect(body).toHaveProperty('GetDeviceInformationResponse');
  });
  it('classifies NotAuthorized (SOAP 1.2 subcode) as auth', () => {
    const f =
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:ter="http://www.onvif.org/ver10/error"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">Sender not Authorized</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>';
    expect(() => readSoapAnswer(ans(f, 400), 'h', 'GetProfiles')).toThrow(expect.objectContaining({ kind: 'auth' }));
  });
  it('classifies a SOAP 1.1 fault and keeps its text', () => {
    const f = '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode><faultstring>Internal error</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>';
    try {
      readSoapAnswer(ans(f, 500), 'h', 'GetProfiles');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(OnvifError);
      expect((err as OnvifError).kind).toBe('fault');
      expect((err as OnvifError).message).toMatch(/Server: Internal error/);
    }
  });
  it('classifies broken XML, HTML and empty bodies', () => {
    expect(() => readSoapAnswer(ans('<html><body>hi<br></body>'), 'h', 'op')).toThrow(expect.objectContaining({ kind: 'garbage' }));
    expect(() => readSoapAnswer(ans('<html><body>hi</body></html>'), 'h', 'op')).toThrow(/not a SOAP envelope/);
    expect(() => readSoapAnswer(ans('', 404), 'h', 'op')).toThrow(expect.objectContaining({ kind: 'http' }));
    expect(() => readSoapAnswer(ans('', 401), 'h', 'op')).toThrow(expect.objectContaining({ kind: 'auth' }));
    expect(() => readSoapAnswer(ans('not xml at all'), 'h', 'op')).toThrow(expect.objectContaining({ kind: 'garbage' }));
  });
  it('maps ActionNotSupported to unsupported', () => {
    const f = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>ter:ActionNotSupported</s:Value></s:Subcode></s:Code><s:Reason><s:Text>no</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>';
    expect(() => readSoapAnswer(ans(f, 400), 'h', 'GetServices')).toThrow(expect.objectContaining({ kind: 'unsupported' }));
  });
});

describe('time', () => {
  it('parses and formats xs:duration', () => {
    expect(parseDuration('PT10S')).toBe(10_000);
    expect(parseDuration('PT1M30S')).toBe(90_000);
    expect(parseDuration('PT0.5S')).toBe(500);
    expect(parseDuration('P1DT1H')).toBe(25 * 3600_000);
    expect(parseDuration('garbage')).toBeNull();
    expect(formatDuration(1500)).toBe('PT1.5S');
    expect(formatDuration(60_000)).toBe('PT60S');
  });
  it('reads POSIX TZ offsets', () => {
    expect(posixTzToUtcHours('CST-8')).toBe(-8);
    expect(posixTzToUtcHours('EST5EDT,M3.2.0,M11.1.0')).toBe(5);
    expect(posixTzToUtcHours('GMT0')).toBe(0);
    expect(posixTzToUtcHours('UTC')).toBe(0);
  });
  it('reads GetSystemDateAndTime with UTC, or local time plus TZ when UTC is missing', () => {
    const wrap = (inner: string) => parseXml(`<E><B><GetSystemDateAndTimeResponse><SystemDateAndTime><DateTimeType>NTP</DateTimeType>${inner}</SystemDateAndTime></GetSystemDateAndTimeResponse></B></E>`);
    const dt = (h: number) => `<Time><Hour>${h}</Hour><Minute>5</Minute><Second>6</Second></Time><Date><Year>2026</Year><Month>3</Month><Day>4</Day></Date>`;
    const body = (x: string) => (wrap(x) as { E: { B: unknown } }).E.B;
    expect(parseSystemDateAndTime(body(`<UTCDateTime>${dt(10)}</UTCDateTime>`))).toMatchObject({ utcMs: Date.UTC(2026, 2, 4, 10, 5, 6), from: 'utc', ntp: true });
    expect(parseSystemDateAndTime(body(`<TimeZone><TZ>CST-8</TZ></TimeZone><LocalDateTime>${dt(18)}</LocalDateTime>`))).toMatchObject({ utcMs: Date.UTC(2026, 2, 4, 10, 5, 6), from: 'local+tz' });
  });
});

describe('discovery answers', () => {
  const pm = (xaddrs: string, scopes = '') =>
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:1</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>${scopes}</d:Scopes><d:XAddrs>${xaddrs}</d:XAddrs></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`;
  it('prefers the IPv4 address the answer came from among several XAddrs', () => {
    const [m] = parseProbeMatches(pm('http://[fe80::1]/onvif/device_service http://10.0.0.9/onvif/device_service http://192.168.1.20/onvif/device_service'), '192.168.1.20');
    expect(m!.xaddr).toBe('http://192.168.1.20/onvif/device_service');
    expect(m!.xaddrs).toHaveLength(3);
  });
  it('reads URL-encoded scopes', () => {
    const [m] = parseProbeMatches(pm('http://1.2.3.4/onvif/device_service', 'onvif://www.onvif.org/name/HIK%20VISION onvif://www.onvif.org/hardware/DS-2CD2143G0-I'), '1.2.3.4');
    expect(m!.name).toBe('HIK VISION');
    expect(m!.hardware).toBe('DS-2CD2143G0-I');
    expect(scopeValue(['onvif://www.onvif.org/location/city/Berlin'], 'location')).toBe('city/Berlin');
  });
  it('ignores garbage datagrams', () => {
    expect(parseProbeMatches('not xml', '1.2.3.4')).toEqual([]);
    expect(parseProbeMatches('<a><b/></a>', '1.2.3.4')).toEqual([]);
  });
});

describe('profiles and URIs', () => {
  const p = (token: string, w: number | null, h: number | null, encoding = 'H264'): MediaProfile => ({ token, name: token, encoding, width: w, height: h, fps: 25, bitrateKbps: null, videoSourceToken: null, ptz: false });
  it('picks main by resolution and an H.264 sub', () => {
    const r = chooseProfiles([p('s', 640, 360), p('m', 2560, 1440, 'H265'), p('j', 320, 240, 'JPEG'), p('t', 1280, 720, 'H265'), p('u', 704, 576)]);
    expect(r.main.token).toBe('m');
    expect(r.sub?.token).toBe('s');
  });
  it('falls back to order when no resolution is reported, and has no sub with one profile', () => {
    expect(chooseProfiles([p('a', null, null), p('b', null, null)])).toMatchObject({ main: { token: 'a' }, sub: { token: 'b' } });
    expect(chooseProfiles([p('a', 1920, 1080)]).sub).toBeNull();
  });
  it('cleans stream URIs', () => {
    expect(cleanStreamUri('rtsp://admin:pw@192.168.1.20:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1', 'http://192.168.1.20/onvif/device_service')).toBe(
      'rtsp://192.168.1.20:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1',
    );
    expect(cleanStreamUri('rtsp://0.0.0.0:554/stream1', 'http://10.1.1.5:8080/onvif/device_service')).toBe('rtsp://10.1.1.5:554/stream1');
  });
  it('normalises device addresses', () => {
    expect(normalizeXaddr('192.168.1.20')).toBe('http://192.168.1.20/onvif/device_service');
    expect(normalizeXaddr('http://192.168.1.20:8000/')).toBe('http://192.168.1.20:8000/onvif/device_service');
    expect(normalizeXaddr('http://192.168.1.20/onvif/device_service')).toBe('http://192.168.1.20/onvif/device_service');
    expect(() => normalizeXaddr('http://a:b@1.2.3.4/')).toThrow(/own fields/);
  });
  it('keeps our host when a camera advertises service addresses on another one (NAT)', () => {
    expect(fixXaddr('http://10.0.0.5/onvif/Media', 'http://203.0.113.7:8080/onvif/device_service')).toBe('http://203.0.113.7:8080/onvif/Media');
  });
  it('suggests a valid camera name', () => {
    expect(suggestName({ manufacturer: 'HIKVISION', model: 'DS-2CD2143G0-I' }, 'http://x/')).toBe('HIKVISION DS-2CD2143G0-I');
    expect(suggestName({ manufacturer: 'Acme™ <Cam>', model: null }, 'http://x/')).toBe('Acme Cam');
    expect(suggestName({ manufacturer: null, model: null }, 'http://10.0.0.1/')).toBe('ONVIF 10.0.0.1');
  });
});

describe('event topics (vendor variants)', () => {
  const note = (topic: string, data: Record<string, string>, source: Record<string, string> = {}, operation = 'Changed') => ({ topic, utcTime: null, operation, source, data });
  it('strips namespace prefixes from every segment', () => {
    expect(plainTopic('tns1:Device/tnsaxis:IO/Port')).toBe('Device/IO/Port');
  });
  it.each([
    ['tns1:VideoSource/MotionAlarm', { State: 'true' }, 'motion', true],
    ['tns1:RuleEngine/CellMotionDetector/Motion', { IsMotion: 'false' }, 'motion', false],
    ['ns0:RuleEngine/MotionRegionDetector/Motion', { State: '1' }, 'motion', true],
    ['tnsaxis:CameraApplicationPlatform/VMD/Camera1Profile1', { active: '1' }, 'motion', true],
    ['tns1:VideoSource/GlobalSceneChange/ImagingService', { State: 'true' }, 'tamper', true],
    ['tns1:VideoSource/ImageTooDark/AnalyticsService', { State: 'true' }, 'tamper', true],
    ['tns1:RuleEngine/TamperDetector/Tamper', { IsTamper: 'true' }, 'tamper', true],
    ['tns1:Device/Trigger/DigitalInput', { LogicalState: 'true' }, 'input', true],
    ['tns1:Device/tnsaxis:IO/Port', { state: '0' }, 'input', false],
    ['tns1:Device/Trigger/Relay', { LogicalState: 'active' }, 'relay', true],
    ['tns1:Device/Trigger/Relay', { LogicalState: 'inactive' }, 'relay', false],
  ] as const)('%s %j → %s %s', (topic, data, kind, state) => {
    expect(mapNotification(note(topic, { ...data }))).toMatchObject({ kind, state });
  });
  it('ignores unknown topics and unreadable states', () => {
    expect(mapNotification(note('tns1:RuleEngine/FieldDetector/ObjectsInside', { IsInside: 'true' }))).toBeNull();
    expect(mapNotification(note('tns1:VideoSource/MotionAlarm', { State: 'maybe' }))).toBeNull();
  });
  it('marks Initialized messages and picks the source token', () => {
    expect(mapNotification(note('tns1:Device/Trigger/DigitalInput', { LogicalState: 'false' }, { InputToken: 'DI_2' }, 'Initialized'))).toMatchObject({ initial: true, source: 'DI_2' });
  });
  it('reads a notification with tt:Message nested or not', () => {
    const doc = parseXml(
      '<NotificationMessage><Topic Dialect="x">tns1:VideoSource/MotionAlarm</Topic><Message><Message UtcTime="2026-01-01T00:00:00Z" PropertyOperation="Changed"><Source><SimpleItem Name="Source" Value="vs1"/></Source><Data><SimpleItem Name="State" Value="true"/></Data></Message></Message></NotificationMessage>',
    );
    const n = parseNotification((doc as { NotificationMessage: unknown }).NotificationMessage);
    expect(n).toEqual({ topic: 'tns1:VideoSource/MotionAlarm', utcTime: '2026-01-01T00:00:00Z', operation: 'Changed', source: { Source: 'vs1' }, data: { State: 'true' } });
  });
});

describe('ReferenceParameters', () => {
  it('are echoed verbatim with the namespace declarations they need', () => {
    const raw =
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:dom0="http://www.hikvision.com/2011/event"><env:Body><tev:CreatePullPointSubscriptionResponse xmlns:tev="x"><tev:SubscriptionReference><wsa:Address>http://1.2.3.4/onvif/Events/PullSubManager</wsa:Address><wsa:ReferenceParameters><dom0:SubscriptionId>7</dom0:SubscriptionId></wsa:ReferenceParameters></tev:SubscriptionReference></tev:CreatePullPointSubscriptionResponse></env:Body></env:Envelope>';
    expect(refParamsXml(raw)).toBe('<dom0:SubscriptionId xmlns:dom0="http://www.hikvision.com/2011/event">7</dom0:SubscriptionId>');
    expect(refParamsXml('<a/>')).toBe('');
  });
});
