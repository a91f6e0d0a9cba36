/**
 * Numbered index migrations. `PRAGMA user_version` holds how many have run.
 * Append only: never edit a migration that has shipped.
 * Times are integer milliseconds since the Unix epoch, UTC.
 */
export const MIGRATIONS: string[] = [
  // 1: sessions, segments, gaps
  `
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    seen_ms    INTEGER NOT NULL
  );
  CREATE INDEX sessions_user ON sessions(username);

  CREATE TABLE segments (
    id          INTEGER PRIMARY KEY,
    camera_id   TEXT NOT NULL,
    start_ms    INTEGER NOT NULL,
    end_ms      INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    path        TEXT NOT NULL UNIQUE,
    codec       TEXT,
    width       INTEGER,
    height      INTEGER,
    run_id      TEXT,
    locked      INTEGER NOT NULL DEFAULT 0,
    salvaged    INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX segments_cam_start ON segments(camera_id, start_ms);
  CREATE INDEX segments_start ON segments(start_ms);

  CREATE TABLE gaps (
    id         INTEGER PRIMARY KEY,
    camera_id  TEXT NOT NULL,
    start_ms   INTEGER NOT NULL,
    end_ms     INTEGER,
    reason     TEXT NOT NULL
  );
  CREATE INDEX gaps_cam_start ON gaps(camera_id, start_ms);
  `,
];
