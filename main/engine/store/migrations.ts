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
  // alarms: alarms, their history, cameras, sensor messages, access-control log, hash-chained audit trail
  `
  CREATE TABLE alarms (
    id           INTEGER PRIMARY KEY,
    type         TEXT NOT NULL,
    title        TEXT NOT NULL,
    priority     INTEGER NOT NULL,
    state        TEXT NOT NULL,
    source       TEXT NOT NULL,
    source_key   TEXT NOT NULL,
    camera_ids   TEXT NOT NULL DEFAULT '[]',
    zone         TEXT,
    rule_id      TEXT,
    created_ms   INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL,
    last_ms      INTEGER NOT NULL,
    count        INTEGER NOT NULL DEFAULT 1,
    ack_due_ms   INTEGER,
    escalation   INTEGER NOT NULL DEFAULT 0,
    claimed_by   TEXT,
    resolved_ms  INTEGER,
    closed_ms    INTEGER,
    close_reason TEXT,
    sop          TEXT NOT NULL DEFAULT '',
    details      TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX alarms_created ON alarms(created_ms);
  CREATE INDEX alarms_state_created ON alarms(state, created_ms);
  CREATE INDEX alarms_type_created ON alarms(type, created_ms);
  CREATE INDEX alarms_priority_created ON alarms(priority, created_ms);
  CREATE INDEX alarms_open_source ON alarms(source_key, last_ms) WHERE state <> 'closed';
  CREATE INDEX alarms_due ON alarms(ack_due_ms) WHERE ack_due_ms IS NOT NULL;

  CREATE TABLE alarm_cameras (
    camera_id  TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    alarm_id   INTEGER NOT NULL,
    PRIMARY KEY (camera_id, created_ms, alarm_id)
  ) WITHOUT ROWID;

  CREATE TABLE alarm_entries (
    id         INTEGER PRIMARY KEY,
    alarm_id   INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    action     TEXT,
    from_state TEXT,
    to_state   TEXT,
    username   TEXT NOT NULL,
    time_ms    INTEGER NOT NULL,
    comment    TEXT
  );
  CREATE INDEX alarm_entries_alarm ON alarm_entries(alarm_id, id);
  CREATE INDEX alarm_entries_user ON alarm_entries(username, alarm_id);

  CREATE TABLE sensor_events (
    id        INTEGER PRIMARY KEY,
    time_ms   INTEGER NOT NULL,
    via       TEXT NOT NULL,
    sensor_id TEXT NOT NULL,
    type      TEXT NOT NULL,
    state     TEXT,
    zone      TEXT,
    msg_id    TEXT,
    payload   TEXT NOT NULL,
    alarm_id  INTEGER
  );
  CREATE INDEX sensor_events_time ON sensor_events(time_ms);
  CREATE INDEX sensor_events_sensor ON sensor_events(sensor_id, time_ms);
  CREATE UNIQUE INDEX sensor_events_msg ON sensor_events(sensor_id, msg_id) WHERE msg_id IS NOT NULL;

  CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY,
    time_ms    INTEGER NOT NULL,
    sensor_id  TEXT NOT NULL,
    door       TEXT NOT NULL,
    badge      TEXT NOT NULL,
    person     TEXT,
    granted    INTEGER NOT NULL,
    direction  TEXT,
    reason     TEXT,
    camera_ids TEXT NOT NULL DEFAULT '[]',
    alarm_id   INTEGER
  );
  CREATE INDEX access_log_time ON access_log(time_ms);
  CREATE INDEX access_log_badge ON access_log(badge, time_ms);
  CREATE INDEX access_log_door ON access_log(door, time_ms);

  CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    time_ms   INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT,
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
  );
  CREATE INDEX audit_time ON audit(time_ms);
  CREATE INDEX audit_actor ON audit(actor, seq);
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
  CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
  );
  `,
  // onvif: camera events (ONVIF motion/tamper/input/relay now; detections and others later), one row per change
  `
  CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    camera_id TEXT,
    time_ms   INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    source    TEXT NOT NULL,
    data      TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX events_cam_time ON events(camera_id, time_ms);
  CREATE INDEX events_time ON events(time_ms);
  CREATE INDEX events_kind_time ON events(kind, time_ms);
  `,
  // recording: init-segment hash per segment (playback knows when the codec setup changes), a garbage
  // queue for retention (rows go first, then files), indexes for "last segment" and "open gap"
  `
  ALTER TABLE segments ADD COLUMN init_hash TEXT;
  CREATE INDEX segments_cam_end ON segments(camera_id, end_ms);
  CREATE INDEX gaps_cam_end ON gaps(camera_id, end_ms);
  CREATE TABLE garbage (
    path      TEXT PRIMARY KEY,
    camera_id TEXT NOT NULL,
    bytes     INTEGER NOT NULL,
    queued_ms INTEGER NOT NULL
  );
  `,
  // alarms: who acted on which alarm, ordered by the alarm's time, so "alarms by user" pages as fast as "by camera"
  `
  CREATE TABLE alarm_users (
    username   TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    alarm_id   INTEGER NOT NULL,
    PRIMARY KEY (username, created_ms, alarm_id)
  ) WITHOUT ROWID;
  INSERT OR IGNORE INTO alarm_users (username, created_ms, alarm_id)
    SELECT DISTINCT e.username, a.created_ms, a.id FROM alarm_entries e JOIN alarms a ON a.id = e.alarm_id WHERE e.username <> 'system';
  `,
  // recording: compact segment rows (docs/storage.md "Index size"). Camera ids, run ids and stream
  // parameters (codec, size, init hash) move to small lookup tables referenced by integer ids; the path is
  // not stored (it is derived from camera, start and run, as layout.ts names the file; a row whose path
  // does not follow that keeps it in alt_path); the end is stored as a duration; one index (camera, start).
  // `segments` becomes a view with the old columns, writable through triggers, so readers are unchanged.
  `
  CREATE TABLE rec_cameras (
    id        INTEGER PRIMARY KEY,
    camera_id TEXT NOT NULL UNIQUE
  );
  CREATE TABLE rec_runs (
    id     INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL UNIQUE
  );
  CREATE TABLE rec_params (
    id        INTEGER PRIMARY KEY,
    codec     TEXT,
    width     INTEGER,
    height    INTEGER,
    init_hash TEXT
  );
  CREATE TABLE seg (
    id       INTEGER PRIMARY KEY,
    cam      INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    dur_ms   INTEGER NOT NULL,
    bytes    INTEGER NOT NULL,
    params   INTEGER,
    run      INTEGER,
    locked   INTEGER NOT NULL DEFAULT 0,
    salvaged INTEGER NOT NULL DEFAULT 0,
    alt_path TEXT
  );
  CREATE INDEX seg_cam_start ON seg(cam, start_ms);

  INSERT INTO rec_cameras (camera_id) SELECT DISTINCT camera_id FROM segments ORDER BY camera_id;
  INSERT INTO rec_runs (run_id) SELECT DISTINCT run_id FROM segments WHERE run_id IS NOT NULL ORDER BY run_id;
  INSERT INTO rec_params (codec, width, height, init_hash) SELECT DISTINCT codec, width, height, init_hash FROM segments;
  INSERT INTO seg (id, cam, start_ms, dur_ms, bytes, params, run, locked, salvaged, alt_path)
    SELECT s.id, c.id, s.start_ms, s.end_ms - s.start_ms, s.bytes,
      (SELECT p.id FROM rec_params p WHERE p.codec IS s.codec AND p.width IS s.width AND p.height IS s.height AND p.init_hash IS s.init_hash),
      r.id, s.locked, s.salvaged,
      CASE WHEN s.path IS s.camera_id || '/' || strftime('%Y-%m-%d/%H/%Y%m%dT%H%M%S', s.start_ms / 1000, 'unixepoch') ||
                         printf('%03d', s.start_ms % 1000) || 'Z_' || s.run_id || '.mp4'
           THEN NULL ELSE s.path END
    FROM segments s JOIN rec_cameras c ON c.camera_id = s.camera_id LEFT JOIN rec_runs r ON r.run_id = s.run_id;
  DROP TABLE segments;

  CREATE VIEW segments AS
    SELECT s.id AS id, c.camera_id AS camera_id, s.start_ms AS start_ms, s.start_ms + s.dur_ms AS end_ms, s.bytes AS bytes,
      COALESCE(s.alt_path, c.camera_id || '/' || strftime('%Y-%m-%d/%H/%Y%m%dT%H%M%S', s.start_ms / 1000, 'unixepoch') ||
                           printf('%03d', s.start_ms % 1000) || 'Z_' || r.run_id || '.mp4') AS path,
      p.codec AS codec, p.width AS width, p.height AS height, r.run_id AS run_id, s.locked AS locked, s.salvaged AS salvaged,
      p.init_hash AS init_hash
    FROM seg s JOIN rec_cameras c ON c.id = s.cam LEFT JOIN rec_runs r ON r.id = s.run LEFT JOIN rec_params p ON p.id = s.params;

  CREATE TRIGGER segments_insert INSTEAD OF INSERT ON segments BEGIN
    INSERT OR IGNORE INTO rec_cameras (camera_id) VALUES (NEW.camera_id);
    INSERT OR IGNORE INTO rec_runs (run_id) SELECT NEW.run_id WHERE NEW.run_id IS NOT NULL;
    INSERT INTO rec_params (codec, width, height, init_hash) SELECT NEW.codec, NEW.width, NEW.height, NEW.init_hash
      WHERE NOT EXISTS (SELECT 1 FROM rec_params WHERE codec IS NEW.codec AND width IS NEW.width AND height IS NEW.height AND init_hash IS NEW.init_hash);
    INSERT INTO seg (id, cam, start_ms, dur_ms, bytes, params, run, locked, salvaged, alt_path) VALUES (
      NEW.id,
      (SELECT id FROM rec_cameras WHERE camera_id = NEW.camera_id),
      NEW.start_ms, NEW.end_ms - NEW.start_ms, NEW.bytes,
      (SELECT id FROM rec_params WHERE codec IS NEW.codec AND width IS NEW.width AND height IS NEW.height AND init_hash IS NEW.init_hash),
      (SELECT id FROM rec_runs WHERE run_id = NEW.run_id),
      COALESCE(NEW.locked, 0), COALESCE(NEW.salvaged, 0),
      CASE WHEN NEW.path IS NEW.camera_id || '/' || strftime('%Y-%m-%d/%H/%Y%m%dT%H%M%S', NEW.start_ms / 1000, 'unixepoch') ||
                            printf('%03d', NEW.start_ms % 1000) || 'Z_' || NEW.run_id || '.mp4'
           THEN NULL ELSE NEW.path END);
  END;
  CREATE TRIGGER segments_update INSTEAD OF UPDATE ON segments BEGIN
    UPDATE seg SET
      dur_ms = NEW.end_ms - NEW.start_ms,
      start_ms = NEW.start_ms,
      bytes = NEW.bytes,
      locked = NEW.locked,
      salvaged = NEW.salvaged,
      alt_path = CASE WHEN NEW.start_ms IS OLD.start_ms THEN alt_path ELSE OLD.path END
    WHERE id = OLD.id;
  END;
  CREATE TRIGGER segments_delete INSTEAD OF DELETE ON segments BEGIN
    DELETE FROM seg WHERE id = OLD.id;
  END;
  `,
  // faces (docs/faces.md, docs/privacy.md): enrolled people, their faces and the face crops cameras saw. Descriptors
  // are biometric data: sealed with the data dir's SecretBox (AES-256-GCM, the `enc:v1` format of camera passwords);
  // the images live in sealed files under <data>/faces/, named by `file`. `people forget` deletes a person's rows
  // (enrolments by cascade, crops by person_id) and then the files; the retention sweep deletes old crops.
  `
  CREATE TABLE face_people (
    id          TEXT PRIMARY KEY,             -- p_<hex>
    name        TEXT NOT NULL,                -- unique, case-insensitive (the CLI addresses people by name)
    badges      TEXT NOT NULL DEFAULT '[]',   -- JSON array of access-control badge ids
    groups      TEXT NOT NULL DEFAULT '[]',   -- JSON array: staff, visitor, watchlist, ...
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX face_people_name ON face_people(name COLLATE NOCASE);

  CREATE TABLE face_enrolments (
    id          TEXT PRIMARY KEY,             -- e_<hex>
    person_id   TEXT NOT NULL REFERENCES face_people(id) ON DELETE CASCADE,
    descriptor  TEXT NOT NULL,                -- sealed (enc:v1) base64 of 128 float32, little-endian
    quality     REAL NOT NULL,                -- face quality score 0..1 at enrolment
    size_px     REAL NOT NULL,                -- face width in the photo's pixels
    source      TEXT NOT NULL,                -- 'photo' | 'event'
    file        TEXT,                         -- sealed JPEG face crop, relative to <data>/faces
    created_ms  INTEGER NOT NULL
  );
  CREATE INDEX face_enrolments_person ON face_enrolments(person_id);

  CREATE TABLE face_crops (
    id          TEXT PRIMARY KEY,             -- c_<hex>
    camera_id   TEXT NOT NULL,
    time_ms     INTEGER NOT NULL,             -- when the face was seen
    track_id    TEXT,                         -- the person track it came from
    person_id   TEXT,                         -- matched person; NULL = unknown (kept only for the short retention)
    distance    REAL,                         -- descriptor distance to that person
    quality     REAL NOT NULL,
    descriptor  TEXT,                         -- sealed, as in face_enrolments (search by photo, enrol from an event)
    file        TEXT NOT NULL,                -- sealed JPEG, relative to <data>/faces
    bytes       INTEGER NOT NULL              -- size of the sealed file
  );
  CREATE INDEX face_crops_time ON face_crops(time_ms);
  CREATE INDEX face_crops_person ON face_crops(person_id, time_ms);
  `,
];
