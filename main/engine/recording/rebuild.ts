import type { Db } from '../store/db.js';
import type { DataPaths } from '../paths.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';

/** Recreate the segment index from the media files alone. Placeholder until the recorder lands. */
export async function rebuildIndex(db: Db, paths: DataPaths, ffmpeg: FfmpegPaths): Promise<{ segments: number; cameras: number }> {
  void db;
  void paths;
  void ffmpeg;
  throw new Error('index rebuild is not built yet');
}
