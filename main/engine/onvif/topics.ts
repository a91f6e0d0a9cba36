/**
 * Map ONVIF notification topics to Gatehouse event kinds. Vendors bind the
 * topic namespaces to any prefix (tns1:, ns0:, tnsaxis:...) and name the
 * state item differently (State, IsMotion, LogicalState, active...), so the
 * match is on prefix-free topic paths and the first item that reads as a
 * boolean.
 */
import type { OnvifEventKind } from '../../api/onvif.js';
import type { NotificationItem } from './client.js';
import { bool } from './xml.js';

export interface MappedEvent {
  kind: OnvifEventKind;
  state: boolean;
  source: string | null;
  /** PropertyOperation="Initialized": the state at subscription time, not a change. */
  initial: boolean;
  /** The topic without namespace prefixes. */
  topic: string;
}

/** "tns1:Device/tnsaxis:IO/Port" → "Device/IO/Port". */
export function plainTopic(topic: string): string {
  return topic
    .trim()
    .split('/')
    .map((seg) => seg.replace(/^[^:]*:/, '').trim())
    .filter(Boolean)
    .join('/');
}

const RULES: { kind: OnvifEventKind; re: RegExp }[] = [
  // tamper first: GlobalSceneChange etc. live under VideoSource like MotionAlarm does
  { kind: 'tamper', re: /GlobalSceneChange|ImageTooDark|ImageTooBright|ImageTooBlurry|SignalLoss|Tamper|Defocus|SceneChange|VideoLoss/i },
  { kind: 'motion', re: /MotionAlarm|CellMotionDetector|MotionRegionDetector|MotionDetect|\/Motion$|(^|\/)VMD(\/|$)/i },
  { kind: 'relay', re: /(^|\/)Relay(\/|$)|DigitalOutput|AlarmOut|OutputPort/i },
  { kind: 'input', re: /DigitalInput|(^|\/)IO\/Port$|InputPort|AlarmIn(put)?(\/|$)/i },
];

const STATE_KEYS = ['State', 'IsMotion', 'LogicalState', 'IsTamper', 'IsTooDark', 'IsTooBright', 'IsTooBlurry', 'IsGlobalSceneChange', 'active', 'state', 'Value', 'Active'];
const SOURCE_KEYS = ['InputToken', 'RelayToken', 'RelayOutputToken', 'port', 'Port', 'Source', 'VideoSource', 'VideoSourceToken', 'VideoSourceConfigurationToken', 'Rule'];

function stateOf(data: Record<string, string>): boolean | null {
  for (const k of STATE_KEYS) {
    if (k in data) {
      const b = bool(data[k]);
      if (b !== null) return b;
    }
  }
  for (const v of Object.values(data)) {
    const b = bool(v);
    if (b !== null) return b;
  }
  return null;
}

function sourceOf(src: Record<string, string>): string | null {
  for (const k of SOURCE_KEYS) if (src[k]) return src[k]!;
  const first = Object.values(src).find(Boolean);
  return first ?? null;
}

/** The Gatehouse event for a notification, or null when it is not one we map. */
export function mapNotification(n: NotificationItem): MappedEvent | null {
  const topic = plainTopic(n.topic);
  if (!topic) return null;
  const rule = RULES.find((r) => r.re.test(topic));
  if (!rule) return null;
  const state = stateOf(n.data);
  if (state === null) return null;
  return { kind: rule.kind, state, source: sourceOf(n.source), initial: /initiali[sz]ed/i.test(n.operation ?? ''), topic };
}
