/**
 * What the engine keeps about an ONVIF camera in its config entry
 * (StoredCamera.onvif): where to reach it and which profiles it uses.
 * Credentials are not here: they are the camera's own username and sealed
 * password, shared with the RTSP stream.
 */
import { z } from 'zod';

const Url = z.string().max(2048);
const Str = z.string().max(256).nullable().default(null);

export const OnvifMeta = z
  .object({
    /** Device service address. */
    xaddr: Url,
    /** WS-Discovery EndpointReference (urn:uuid:...), when known: identifies the device across address changes. */
    endpoint: z.string().max(512).nullable().default(null),
    services: z
      .object({ media: Url.optional(), media2: Url.optional(), ptz: Url.optional(), events: Url.optional(), imaging: Url.optional(), deviceio: Url.optional() })
      .strict()
      .default({}),
    mainProfile: z.string().min(1).max(128),
    subProfile: z.string().max(128).nullable().default(null),
    /** Profile used for PTZ commands (one with a PTZConfiguration), or null when the camera has no PTZ. */
    ptzProfile: z.string().max(128).nullable().default(null),
    snapshotUrl: Url.nullable().default(null),
    capabilities: z
      .object({
        ptz: z.boolean().default(false),
        events: z.boolean().default(false),
        pullPoint: z.boolean().default(false),
        relayOutputs: z.number().int().min(0).max(64).default(0),
        inputs: z.number().int().min(0).max(64).default(0),
      })
      .strict()
      .default({ ptz: false, events: false, pullPoint: false, relayOutputs: 0, inputs: 0 }),
    manufacturer: Str,
    model: Str,
    firmware: Str,
    serial: Str,
    hardwareId: Str,
  })
  .strict();
export type OnvifMeta = z.infer<typeof OnvifMeta>;
