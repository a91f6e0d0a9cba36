/**
 * timeline.* request handlers: the markers a camera's playback track shows
 * besides recordings and camera events (markers.ts).
 */
import { ApiError } from '../../api/contract.js';
import type { AlarmSetup } from '../../api/alarms.js';
import { MARKER_KINDS } from '../../api/bookmarks.js';
import type { Concern } from '../concern.js';
import type { BookmarkStore } from '../bookmarks/store.js';
import type { Db } from '../store/db.js';
import { TimelineMarkers } from './markers.js';

export function timelineConcern(d: { db: Db; bookmarks: BookmarkStore; setup: () => AlarmSetup }): Concern {
  const markers = new TimelineMarkers(d.db, d.bookmarks, d.setup);
  return {
    handlers: {
      'timeline.markers': (p) => {
        const from = Date.parse(p.from);
        const to = Date.parse(p.to);
        if (to <= from) throw new ApiError('bad_request', 'timeline.markers: "to" must be after "from"', 'to');
        return markers.list(p.cameraId, from, to, p.kinds ?? MARKER_KINDS, p.limit);
      },
    },
  };
}
