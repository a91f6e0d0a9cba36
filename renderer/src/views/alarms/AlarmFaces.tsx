/**
 * The faces of a face alarm, side by side: for a badge mismatch the badge
 * holder's enrolled face and the face the door camera saw; for a watchlist
 * or unknown face the face seen. Guards see these on alarms only (the people
 * list is for supervisors and admins).
 */
import { useEffect, useState } from 'react';
import type { Alarm } from '../../../../main/api/alarms.js';
import type { ResultOf } from '../../../../main/api/contract.js';
import { useClient } from '../../api/context.js';

export const FACE_ALARM_TYPES: readonly string[] = ['access.mismatch', 'face.watchlist', 'face.unknown'];

export function AlarmFaces({ alarm }: { alarm: Alarm }) {
  const client = useClient();
  const [faces, setFaces] = useState<ResultOf<'faces.alarmFaces'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isFace = FACE_ALARM_TYPES.includes(alarm.type);
  useEffect(() => {
    if (!isFace) return;
    let live = true;
    client.call('faces.alarmFaces', { alarmId: alarm.id }).then(
      (r) => live && setFaces(r),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [client, alarm.id, isFace]);
  if (!isFace) return null;
  const d = alarm.details as { reason?: string; holder?: { distance?: number | null }; distance?: number | null };
  return (
    <div className="ad-faces" data-testid="alarm-faces">
      {faces?.holder && (
        <figure data-testid="alarm-face-holder">
          {faces.holder.dataUrl ? <img src={faces.holder.dataUrl} alt={`enrolled face of ${faces.holder.name}`} /> : <div className="ad-face-empty muted small">no enrolled image</div>}
          <figcaption>
            Badge holder <b>{faces.holder.name}</b>
            {faces.holder.badge ? ` · badge ${faces.holder.badge}` : ''}
          </figcaption>
        </figure>
      )}
      <figure data-testid="alarm-face-seen">
        {faces?.seen ? <img src={faces.seen.dataUrl} alt="face seen" /> : <div className="ad-face-empty muted small">{error ?? (faces ? 'the face crop is gone (retention or forget)' : 'loading…')}</div>}
        <figcaption>
          Seen{faces?.seen?.name ? <> : <b>{faces.seen.name}</b></> : alarm.type === 'face.unknown' || alarm.type === 'access.mismatch' ? ': not enrolled, or another person' : ''}
          {d.reason === 'two-people' && ' · two people on one badge'}
          {typeof d.holder?.distance === 'number' && ` · distance to holder ${d.holder.distance.toFixed(2)}`}
          {typeof d.distance === 'number' && ` · distance ${d.distance.toFixed(2)}`}
        </figcaption>
      </figure>
    </div>
  );
}
