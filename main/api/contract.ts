/**
 * The one API contract between the engine and every console.
 *
 * Each request is declared once, in the file of its concern (core.ts, and
 * one file per later concern): its input schema (validated at runtime by
 * every transport), the minimum role that may call it, and its result type.
 * Each pushed event is declared once too. This file merges them.
 *
 * Transports: HTTP `POST /api/rpc/<method>` with a JSON body, WebSocket
 * `{id, method, params}` frames on `/api/ws`, and Electron IPC through the
 * preload (`gatehouse:rpc`). All three call `Engine.handle()`.
 *
 * Imported by the renderer too: no Node APIs here.
 */
import { z } from 'zod';
import { ApiError } from './types.js';
import { coreRequests, CORE_EVENT_NAMES, type CoreEvents, type CoreResults } from './core.js';
import { layoutsRequests, LAYOUTS_EVENT_NAMES, type LayoutsEvents, type LayoutsResults } from './layouts.js';
import { alarmsRequests, ALARMS_EVENT_NAMES, type AlarmsEvents, type AlarmsResults } from './alarms.js';
import { onvifRequests, ONVIF_EVENT_NAMES, type OnvifEvents, type OnvifResults } from './onvif.js';
import { detectionRequests, DETECTION_EVENT_NAMES, type DetectionEvents, type DetectionResults } from './detection.js';
import { bookmarksRequests, BOOKMARKS_EVENT_NAMES, type BookmarksEvents, type BookmarksResults } from './bookmarks.js';
import { exportRequests, EXPORT_EVENT_NAMES, type ExportEvents, type ExportResults } from './export.js';
import { masksRequests, MASKS_EVENT_NAMES, type MasksEvents, type MasksResults } from './masks.js';
import { notifyRequests, NOTIFY_EVENT_NAMES, type NotifyEvents, type NotifyResults } from './notify.js';
import { rulesRequests, RULES_EVENT_NAMES, type RulesEvents, type RulesResults } from './rules.js';
import { facesRequests, FACES_EVENT_NAMES, type FacesEvents, type FacesResults } from './faces.js';
import { remoteRequests, REMOTE_EVENT_NAMES, type RemoteEvents, type RemoteResults } from './remote.js';

export * from './types.js';
export type * from './media.js';
export { CameraInput } from './core.js';
export { isSecondStep, SIGN_IN_METHODS, type LoginResult, type SecondStep, type SignedIn, type SignInMethod } from './remote.js';

/** Every request of every concern. Add a concern by spreading its table here. */
export const requests = {
  ...coreRequests,
  ...layoutsRequests,
  ...alarmsRequests,
  ...onvifRequests,
  ...detectionRequests,
  ...bookmarksRequests,
  ...exportRequests,
  ...masksRequests,
  ...notifyRequests,
  ...rulesRequests,
  ...remoteRequests,
  ...facesRequests,
} as const;

/** Result type of each request. */
export interface ResultMap
  extends CoreResults,
    LayoutsResults,
    AlarmsResults,
    OnvifResults,
    DetectionResults,
    BookmarksResults,
    ExportResults,
    MasksResults,
    NotifyResults,
    RulesResults,
    RemoteResults,
    FacesResults {}

/** Events pushed by the engine to every connected console. */
export interface EventMap
  extends CoreEvents,
    LayoutsEvents,
    AlarmsEvents,
    OnvifEvents,
    DetectionEvents,
    BookmarksEvents,
    ExportEvents,
    MasksEvents,
    NotifyEvents,
    RulesEvents,
    RemoteEvents,
    FacesEvents {}
export type EventName = keyof EventMap;
export const EVENT_NAMES: EventName[] = [
  ...CORE_EVENT_NAMES,
  ...LAYOUTS_EVENT_NAMES,
  ...ALARMS_EVENT_NAMES,
  ...ONVIF_EVENT_NAMES,
  ...DETECTION_EVENT_NAMES,
  ...BOOKMARKS_EVENT_NAMES,
  ...EXPORT_EVENT_NAMES,
  ...MASKS_EVENT_NAMES,
  ...NOTIFY_EVENT_NAMES,
  ...RULES_EVENT_NAMES,
  ...REMOTE_EVENT_NAMES,
  ...FACES_EVENT_NAMES,
];

export type Method = keyof typeof requests;
export type ParamsOf<M extends Method> = z.input<(typeof requests)[M]['input']>;

export type ResultOf<M extends Method> = ResultMap[M];



// Compile-time check: every request has a result type and vice versa.
type _Check1 = Exclude<Method, keyof ResultMap>;
type _Check2 = Exclude<keyof ResultMap, Method>;
const _noMissing: [_Check1, _Check2] extends [never, never] ? true : false = true;
void _noMissing;

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(requests, name);
}

/** Validate params for a method, turning zod issues into one clear message. */
export function parseParams<M extends Method>(method: M, params: unknown): z.output<(typeof requests)[M]['input']> {
  const schema = requests[method].input as z.ZodType;
  const r = schema.safeParse(params ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.join('.');
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown field(s): ${issue.keys.join(', ')}`;
    throw new ApiError('bad_request', `${method}: ${field ? field + ': ' : ''}${message}`, field || undefined);
  }
  return r.data as z.output<(typeof requests)[M]['input']>;
}
