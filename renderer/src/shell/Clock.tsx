import { useNow } from '../state/now.js';
import { useSettings } from '../state/settings.js';
import { formatClock, formatDateTime, utcOffsetLabel, zoneLabel } from '../time/index.js';

/** Wall clock in the console's time zone, with the zone spelled out. */
export function Clock() {
  const now = useNow(1000);
  const { timeZone, timeZoneIsLocal } = useSettings();
  const date = formatDateTime(now, timeZone).slice(0, 10);
  return (
    <span
      className="clock"
      data-testid="clock"
      data-tz={timeZone}
      title={`${date} ${timeZone} (${utcOffsetLabel(now, timeZone)})${timeZoneIsLocal ? ": this computer's zone; set one in Settings → General" : ''}`}
    >
      <span className="clock-date">{date}</span>
      <span className="clock-time">{formatClock(now, timeZone)}</span>
      <span className="clock-tz">{zoneLabel(now, timeZone)}</span>
    </span>
  );
}
