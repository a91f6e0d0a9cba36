/**
 * The ports a rule's actions use, onto the concerns that own them:
 * bookmarks (service: audited with the bookmark), MQTT and notice URLs
 * (integrations), relays and PTZ presets (ONVIF: the relay change and the
 * PTZ move go out on the bus like a guard's, the PTZ one into the audit
 * trail). Getters, because the rules are wired before some of them start.
 */
import type { Me } from '../../api/contract.js';
import type { BookmarkService } from '../bookmarks/service.js';
import type { EventBus } from '../bus.js';
import type { IntegrationsModule } from '../integrations/index.js';
import type { OnvifService } from '../onvif/service.js';
import type { ActionPorts } from './actions.js';

export function actionPorts(d: {
  bus: EventBus;
  bookmarks: BookmarkService;
  integrations: () => IntegrationsModule | undefined;
  onvif: () => OnvifService | undefined;
}): ActionPorts {
  const onvif = () => {
    const o = d.onvif();
    if (!o) throw new Error('the ONVIF module is not running');
    return o;
  };
  return {
    bookmark: (me: Me, p) => void d.bookmarks.add(me, p),
    publish: (topic, payload, retain) => d.integrations()?.publish(topic, payload, { retain }) ?? false,
    notice: (url, body) => d.integrations()?.sendNotice(url, body) ?? false,
    relay: async (me, cameraId, token, active) => {
      await onvif().device(cameraId).setRelayOutputState(token, active);
      d.bus.emit('onvif.relayChanged', { cameraId, token, active, user: me.username });
    },
    ptz: async (me, cameraId, preset) => {
      const o = onvif();
      await o.ptz.run(cameraId, (t) => t.device.gotoPreset(t.profile, preset));
      o.ptzAction(cameraId, me, 'gotoPreset', preset);
    },
  };
}
