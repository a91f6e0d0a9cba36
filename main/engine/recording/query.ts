import type { Gap, Segment } from '../../api/contract.js';
import type { Db } from '../store/db.js';

/** Segments and gaps of one camera that overlap [fromMs, toMs). Placeholder until the recorder lands. */
export function listRecordings(db: Db, cameraId: string, fromMs: number, toMs: number): { segments: Segment[]; gaps: Gap[] } {
  void db;
  void cameraId;
  void fromMs;
  void toMs;
  return { segments: [], gaps: [] };
}
