/**
 * What the notifications (main/engine/notify/) may do with alarms: read one,
 * list those nobody acknowledged, acknowledge one as a user (from a push
 * notification's action), and add a notice line to an alarm's history. The
 * alarms module implements it; notify never touches the alarm store itself.
 */
import type { Alarm } from '../../api/alarms.js';
import type { Me } from '../../api/contract.js';

export interface AlarmNotifyPort {
  get(id: number): Alarm | null;
  /** Open alarms still in state "new" (not acknowledged). */
  unacknowledged(): Alarm[];
  /** Acknowledge as `me`, as the console's A does (claims it; audited as that user with the change). */
  acknowledge(id: number, me: Me, comment: string): Alarm;
  /** A line in the alarm's history (kind "notice", user "system"); consoles hear it as alarm.changed. */
  noteNotice(id: number, comment: string, timeMs?: number): void;
}
