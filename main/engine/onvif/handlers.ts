/**
 * onvif.*, ptz.*, events.list and cameras.test request handlers
 * (discovery, onboarding, device info, relays, PTZ, the camera event log,
 * the stream test), and the ONVIF module they talk to (service.ts).
 */
import { ApiError } from '../../api/contract.js';
import type { OnvifDeviceInfo } from '../../api/onvif.js';
import type { Concern, ModuleConcern } from '../concern.js';
import { logger } from '../log.js';
import { discover } from './discovery.js';
import { toApiError } from './errors.js';
import { addOnvifCamera, findOnvifCamera, inspectDevice } from './onboard.js';
import { createOnvif, type OnvifDeps, type OnvifOptions, type OnvifService } from './service.js';
import { testStream } from './stream-test.js';

const log = logger('onvif');

export function onvifConcern(d: OnvifDeps, opts?: Partial<OnvifOptions>): ModuleConcern<OnvifService> {
  const svc = createOnvif(d, opts);
  return { module: svc, handlers: onvifHandlers(svc, d) };
}

function onvifHandlers(svc: OnvifService, d: OnvifDeps): Concern['handlers'] {
  return {
    'onvif.discover': async (p) => {
      const t0 = Date.now();
      const devs = await discover({
        timeoutMs: p.timeoutMs ?? 3000,
        port: svc.opts.discoveryPort,
        interfaces: svc.opts.interfaces,
        unicast: svc.opts.unicast,
      });
      return { devices: svc.annotate(devs), tookMs: Date.now() - t0 };
    },
    'onvif.inspect': async (p) => {
      const creds = p.username ? { username: p.username, password: p.password ?? '' } : null;
      try {
        const insp = await inspectDevice(p.xaddr, creds, p.timeoutMs ?? svc.opts.timeoutMs);
        const cam = findOnvifCamera(d.cameras.stored(), insp.meta.xaddr, svc.endpointFor(p.xaddr));
        return { ...insp.result, cameraId: cam?.id ?? null };
      } catch (err) {
        throw toApiError(err, p.xaddr);
      }
    },
    'onvif.add': async (p) => {
      try {
        const { camera } = await addOnvifCamera(d.config, d.secrets, {
          xaddr: p.xaddr,
          username: p.username ?? null,
          password: p.password ?? null,
          name: p.name ?? null,
          timeoutMs: p.timeoutMs ?? svc.opts.timeoutMs,
          endpoint: svc.endpointFor(p.xaddr),
        });
        log.info(`camera "${camera.name}" added through ONVIF (${camera.onvif?.manufacturer ?? '?'} ${camera.onvif?.model ?? ''})`);
        svc.reconcile();
        const info = d.cameras.info(camera.id);
        if (!info) throw new ApiError('internal', 'the camera was added but cannot be read back; reload the camera list');
        return info;
      } catch (err) {
        throw toApiError(err, p.xaddr);
      }
    },
    'onvif.cameras': () => ({
      cameras: d.cameras
        .stored()
        .filter((c) => c.onvif)
        .map((c) => {
          const m = c.onvif!;
          const rt = svc.runtime(c.id);
          return {
            cameraId: c.id,
            manufacturer: m.manufacturer,
            model: m.model,
            ptz: m.capabilities.ptz && !!m.ptzProfile,
            events: m.capabilities.events,
            relayOutputs: m.capabilities.relayOutputs,
            inputs: m.capabilities.inputs,
            eventState: rt?.events.state ?? 'off',
            clockOk: rt?.clock?.ok ?? null,
          };
        }),
    }),
    'onvif.deviceInfo': async (p) => {
      const { meta } = svc.onvifCamera(p.cameraId);
      const rt = svc.runtime(p.cameraId);
      const base: OnvifDeviceInfo = {
        cameraId: p.cameraId,
        xaddr: meta.xaddr,
        manufacturer: meta.manufacturer,
        model: meta.model,
        firmware: meta.firmware,
        serial: meta.serial,
        hardwareId: meta.hardwareId,
        mainProfile: meta.mainProfile,
        subProfile: meta.subProfile,
        capabilities: meta.capabilities,
        clockSkewMs: rt?.clock?.skewMs ?? null,
        clockCheckedAt: rt?.clock ? new Date(rt.clock.checkedAt).toISOString() : null,
        clockOk: rt?.clock?.ok ?? null,
        ntp: rt?.clock?.ntp ?? null,
        events: rt ? { ...rt.events } : { state: 'off', message: 'the camera is disabled', since: new Date().toISOString(), lastEventAt: null },
        live: false,
        error: null,
      };
      try {
        const dev = svc.device(p.cameraId);
        const info = await dev.getDeviceInformation();
        if (rt) {
          const c = await svc.checkClock(p.cameraId, dev);
          if (c) {
            base.clockSkewMs = c.skewMs;
            base.clockCheckedAt = new Date(c.checkedAt).toISOString();
            base.clockOk = c.ok;
            base.ntp = c.ntp;
          }
        }
        return { ...base, manufacturer: info.manufacturer ?? base.manufacturer, model: info.model ?? base.model, firmware: info.firmwareVersion ?? base.firmware, serial: info.serialNumber ?? base.serial, hardwareId: info.hardwareId ?? base.hardwareId, live: true };
      } catch (err) {
        return { ...base, error: toApiError(err).message };
      }
    },
    'onvif.relays': async (p) => {
      try {
        return { relays: await svc.device(p.cameraId).getRelayOutputs() };
      } catch (err) {
        throw toApiError(err);
      }
    },
    'onvif.relay': async (p, _ctx, me) => {
      try {
        await svc.device(p.cameraId).setRelayOutputState(p.token, p.active);
      } catch (err) {
        throw toApiError(err);
      }
      const user = me?.username ?? 'unknown';
      log.info(`relay ${p.token} on ${p.cameraId} set ${p.active ? 'active' : 'inactive'} by ${user}`);
      d.bus.emit('onvif.relayChanged', { cameraId: p.cameraId, token: p.token, active: p.active, user });
      return { ok: true as const };
    },
    'cameras.test': (p) => testStream(d.ffmpeg(), d.children, p),
    'ptz.move': async (p, _ctx, me) => {
      try {
        const r = await svc.ptz.move(p.cameraId, { pan: p.pan, tilt: p.tilt, zoom: p.zoom }, p.timeoutMs);
        if (r.changed) svc.ptzAction(p.cameraId, me, p.pan === 0 && p.tilt === 0 && p.zoom === 0 ? 'stop' : 'move', `pan ${p.pan} tilt ${p.tilt} zoom ${p.zoom}`);
        return { ok: true as const, deadline: new Date(r.deadline).toISOString() };
      } catch (err) {
        throw toApiError(err);
      }
    },
    'ptz.stop': async (p, _ctx, me) => {
      try {
        await svc.ptz.stop(p.cameraId);
      } catch (err) {
        throw toApiError(err);
      }
      svc.ptzAction(p.cameraId, me, 'stop');
      return { ok: true as const };
    },
    'ptz.presets': async (p) => {
      try {
        return { presets: await svc.ptz.run(p.cameraId, (t) => t.device.getPresets(t.profile)) };
      } catch (err) {
        throw toApiError(err);
      }
    },
    'ptz.gotoPreset': async (p, _ctx, me) => {
      try {
        await svc.ptz.run(p.cameraId, (t) => t.device.gotoPreset(t.profile, p.token));
      } catch (err) {
        throw toApiError(err);
      }
      svc.ptzAction(p.cameraId, me, 'gotoPreset', p.token);
      return { ok: true as const };
    },
    'ptz.setPreset': async (p, _ctx, me) => {
      let token: string;
      try {
        token = await svc.ptz.run(p.cameraId, (t) => t.device.setPreset(t.profile, p.name, p.token));
      } catch (err) {
        throw toApiError(err);
      }
      svc.ptzAction(p.cameraId, me, 'setPreset', `${p.name} (${token})`);
      return { token };
    },
    'ptz.home': async (p, _ctx, me) => {
      try {
        await svc.ptz.run(p.cameraId, (t) => t.device.gotoHome(t.profile));
      } catch (err) {
        throw toApiError(err);
      }
      svc.ptzAction(p.cameraId, me, 'home');
      return { ok: true as const };
    },
    'ptz.status': async (p) => {
      try {
        const t = svc.ptzTarget(p.cameraId);
        return await t.device.getPtzStatus(t.profile);
      } catch (err) {
        throw toApiError(err);
      }
    },
    'events.list': (p) => {
      const from = Date.parse(p.from);
      const to = Date.parse(p.to);
      if (to <= from) throw new ApiError('bad_request', 'events.list: "to" must be after "from"', 'to');
      return svc.events.list({ cameraId: p.cameraId, fromMs: from, toMs: to, kinds: p.kinds, limit: p.limit });
    },
  };
}
