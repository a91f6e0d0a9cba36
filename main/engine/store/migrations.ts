/**
 * The schema of the SQLite index (<data>/index.sqlite), as numbered
 * migrations. `PRAGMA user_version` holds how many have run; db.ts runs the
 * rest, each in one transaction. Append only: never change a statement of a
 * migration that has shipped (comments may be added; they change nothing
 * that has run). Every table is listed in docs/schema.md.
 *
 * Conventions (the comments below rely on them):
 * - `…_ms` columns are INTEGER milliseconds since the Unix epoch, UTC;
 *   `dur_ms` is a length in ms. Nothing stores local time.
 * - Camera ids, usernames, sensor ids and rule ids are the text ids of
 *   config.json; there are no foreign keys to the config, so rows outlive a
 *   camera or user removed from it.
 * - `camera_ids`, `details`, `payload`, `data` hold JSON text.
 * - Booleans are INTEGER 0/1.
 * - Who writes: recording/ (segments, gaps, garbage), auth/sessions.ts,
 *   alarms/ (alarm tables), integrations/ (sensor_events, access_log),
 *   audit/trail.ts, onvif/event-log.ts and detection/ (events), bookmarks/
 *   (bookmarks, bookmark_cameras). Alarms, the audit trail, sensor messages
 *   and bookmarks go through the durable connection (synchronous=FULL).
 */
export const MIGRATIONS: string[] = [
  // 1: sessions, segments, gaps
  `
  -- One row per login session (auth/sessions.ts). The bearer token itself is never stored.
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY, -- SHA-256 (hex) of the session token
    username   TEXT NOT NULL,    -- the user it logs in (config.json users)
    created_ms INTEGER NOT NULL, -- login time
    expires_ms INTEGER NOT NULL, -- sliding expiry: 14 days after the last use; expired rows are purged at start
    seen_ms    INTEGER NOT NULL  -- last use, written at most once a minute
  );
  CREATE INDEX sessions_user ON sessions(username);

  -- One row per closed segment file (migration 6 replaced this table by seg + the segments view, same columns).
  -- A row is inserted only after its file is renamed into place and fsynced (docs/storage.md S2).
  CREATE TABLE segments (
    id          INTEGER PRIMARY KEY,
    camera_id   TEXT NOT NULL,
    start_ms    INTEGER NOT NULL,         -- the stamp in the file name (S3)
    end_ms      INTEGER NOT NULL,         -- start_ms + the sum of the file's video sample durations (S3)
    bytes       INTEGER NOT NULL,         -- file size
    path        TEXT NOT NULL UNIQUE,     -- relative to recordings/: <camera>/<YYYY-MM-DD>/<HH>/<stamp>_<run>.mp4
    codec       TEXT,                     -- MSE codecs value (avc1.4d401e,mp4a.40.2); NULL if unknown
    width       INTEGER,                  -- pixels
    height      INTEGER,
    run_id      TEXT,                     -- the recording run (one clock anchor; recording.md)
    locked      INTEGER NOT NULL DEFAULT 0, -- 1 = evidence: never deleted by retention (S7)
    salvaged    INTEGER NOT NULL DEFAULT 0  -- 1 = indexed by salvage after a crash (S8)
  );
  CREATE INDEX segments_cam_start ON segments(camera_id, start_ms);
  CREATE INDEX segments_start ON segments(start_ms);

  -- One row per hole between recording runs of a camera. At most one open gap per camera.
  CREATE TABLE gaps (
    id         INTEGER PRIMARY KEY,
    camera_id  TEXT NOT NULL,
    start_ms   INTEGER NOT NULL, -- end of the last recorded footage
    end_ms     INTEGER,          -- start of the next footage; NULL while the gap is still open
    reason     TEXT NOT NULL     -- GAP_REASONS (api/types.ts), journaled before it is indexed (S4)
  );
  CREATE INDEX gaps_cam_start ON gaps(camera_id, start_ms);
  `,
  // alarms: alarms, their history, cameras, sensor messages, access-control log, hash-chained audit trail
  `
  -- One row per alarm (alarms/store.ts). Every change is one transaction with its alarm_entries row and its
  -- audit record, committed before any console hears of it (persist before you show).
  CREATE TABLE alarms (
    id           INTEGER PRIMARY KEY,
    type         TEXT NOT NULL,              -- ALARM_TYPES (api/alarms.ts): camera.offline, sensor.door, panic, ...
    title        TEXT NOT NULL,              -- what the guard reads in the queue
    priority     INTEGER NOT NULL,           -- 1 (critical) ... 5 (info)
    state        TEXT NOT NULL,              -- new, acknowledged, in_progress, on_hold, closed (alarms/state-machine.ts)
    source       TEXT NOT NULL,              -- camera id, sensor id, door, user or "storage"
    source_key   TEXT NOT NULL,              -- repeats with this key within the rule's coalesceSeconds count on the open alarm
    camera_ids   TEXT NOT NULL DEFAULT '[]', -- JSON array of linked cameras (also in alarm_cameras)
    zone         TEXT,
    rule_id      TEXT,                       -- the rule that decided (config.alarmRules or a default-* rule)
    created_ms   INTEGER NOT NULL,           -- raised
    updated_ms   INTEGER NOT NULL,           -- last change of any column
    last_ms      INTEGER NOT NULL,           -- last repeat from the source
    count        INTEGER NOT NULL DEFAULT 1, -- repeats counted on this alarm, the first included
    ack_due_ms   INTEGER,                    -- escalates at this time unless acknowledged; NULL = never, or acknowledged
    escalation   INTEGER NOT NULL DEFAULT 0, -- escalation levels reached (at most 3)
    claimed_by   TEXT,                       -- the user working it, if any
    resolved_ms  INTEGER,                    -- the source cleared (camera back, door closed); the alarm stays open
    closed_ms    INTEGER,                    -- set with state = closed
    close_reason TEXT,                       -- required to close
    sop          TEXT NOT NULL DEFAULT '',   -- the procedure shown with the alarm
    details      TEXT NOT NULL DEFAULT '{}'  -- JSON: what the source said
  );
  CREATE INDEX alarms_created ON alarms(created_ms);
  CREATE INDEX alarms_state_created ON alarms(state, created_ms);
  CREATE INDEX alarms_type_created ON alarms(type, created_ms);
  CREATE INDEX alarms_priority_created ON alarms(priority, created_ms);
  CREATE INDEX alarms_open_source ON alarms(source_key, last_ms) WHERE state <> 'closed';
  CREATE INDEX alarms_due ON alarms(ack_due_ms) WHERE ack_due_ms IS NOT NULL;

  -- (camera, alarm) pairs keyed by the alarm's time, so "alarms of a camera" pages newest first on the key alone.
  CREATE TABLE alarm_cameras (
    camera_id  TEXT NOT NULL,
    created_ms INTEGER NOT NULL, -- the alarm's created_ms
    alarm_id   INTEGER NOT NULL,
    PRIMARY KEY (camera_id, created_ms, alarm_id)
  ) WITHOUT ROWID;

  -- An alarm's history: one row per step, never changed afterwards.
  CREATE TABLE alarm_entries (
    id         INTEGER PRIMARY KEY,
    alarm_id   INTEGER NOT NULL,
    kind       TEXT NOT NULL,    -- ENTRY_KINDS: raised, transition, comment, claim, release, takeover, escalated, resolved
    action     TEXT,             -- for a transition: the ALARM_ACTIONS action (acknowledge, start, hold, ...)
    from_state TEXT,             -- state before (transitions)
    to_state   TEXT,             -- state after (transitions, raised)
    username   TEXT NOT NULL,    -- who; "system" for the engine
    time_ms    INTEGER NOT NULL,
    comment    TEXT
  );
  CREATE INDEX alarm_entries_alarm ON alarm_entries(alarm_id, id);
  CREATE INDEX alarm_entries_user ON alarm_entries(username, alarm_id);

  -- Every valid sensor message (integrations/sensors.ts), committed before the MQTT acknowledgement.
  CREATE TABLE sensor_events (
    id        INTEGER PRIMARY KEY,
    time_ms   INTEGER NOT NULL, -- the message's own time, else its arrival
    via       TEXT NOT NULL,    -- mqtt, or webhook:<integration id>
    sensor_id TEXT NOT NULL,
    type      TEXT NOT NULL,    -- door, window, motion, badge.granted, badge.denied
    state     TEXT,             -- open, closed, forced, held, broken, active, idle, granted, denied
    zone      TEXT,
    msg_id    TEXT,             -- the sender's message id: a redelivered message (same sensor, same id) is dropped
    payload   TEXT NOT NULL,    -- the message as received (JSON)
    alarm_id  INTEGER           -- the alarm it raised or counted on, if any
  );
  CREATE INDEX sensor_events_time ON sensor_events(time_ms);
  CREATE INDEX sensor_events_sensor ON sensor_events(sensor_id, time_ms);
  CREATE UNIQUE INDEX sensor_events_msg ON sensor_events(sensor_id, msg_id) WHERE msg_id IS NOT NULL;

  -- The entry/exit log: one row per badge read (integrations/access-log.ts), paged newest first by (time_ms, id).
  CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY,
    time_ms    INTEGER NOT NULL,
    sensor_id  TEXT NOT NULL,              -- the reader
    door       TEXT NOT NULL,
    badge      TEXT NOT NULL,
    person     TEXT,                       -- as the access-control system named them
    granted    INTEGER NOT NULL,           -- 1 granted, 0 denied
    direction  TEXT,                       -- in, out, or NULL
    reason     TEXT,                       -- why it was denied
    camera_ids TEXT NOT NULL DEFAULT '[]', -- JSON: the door's cameras (alarmSetup.doors)
    alarm_id   INTEGER                     -- the alarm a denial raised
  );
  CREATE INDEX access_log_time ON access_log(time_ms);
  CREATE INDEX access_log_badge ON access_log(badge, time_ms);
  CREATE INDEX access_log_door ON access_log(door, time_ms);

  -- The audit trail (audit/trail.ts): append-only and hash-chained; docs/alarms.md, "Audit trail".
  -- hash = sha256(prev_hash, a newline, the canonical JSON of {seq, timeMs, actor, action, target, details}).
  CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY, -- 1, 2, 3 ... with no holes
    time_ms   INTEGER NOT NULL,
    actor     TEXT NOT NULL,       -- username, "system" or "anonymous"
    action    TEXT NOT NULL,       -- the API method, alarm.<action>, auth.login.failed, ptz.action, ...
    target    TEXT,                -- what it acted on (alarm id, cameraId:<id>, username:<name>, ...)
    details   TEXT NOT NULL,       -- canonical JSON, credentials scrubbed
    prev_hash TEXT NOT NULL,       -- the previous record's hash; 64 zeros for record 1
    hash      TEXT NOT NULL        -- SHA-256 hex, see above
  );
  CREATE INDEX audit_time ON audit(time_ms);
  CREATE INDEX audit_actor ON audit(actor, seq);
  -- The trail refuses changes; audit verify finds what got past the triggers.
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
  -- Exactly one row: the newest (seq, hash), so records cut off the end of the chain show.
  CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
  );
  `,
  // onvif: camera events (ONVIF motion/tamper/input/relay now; detections and others later), one row per change
  `
  -- Camera events for the timeline (events.list), committed before their bus event; deleted with the longest
  -- footage retention (at least 30 days).
  CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    camera_id TEXT,
    time_ms   INTEGER NOT NULL,           -- when it happened (camera time brought onto ours; first seen for a track)
    kind      TEXT NOT NULL,              -- motion, tamper, input, relay (ONVIF); object (the detector)
    source    TEXT NOT NULL,              -- the producer: onvif, detector
    data      TEXT NOT NULL DEFAULT '{}'  -- JSON: ONVIF state/source/topic/cameraTime; detector label/score/box/trackId/start/end
  );
  CREATE INDEX events_cam_time ON events(camera_id, time_ms);
  CREATE INDEX events_time ON events(time_ms);
  CREATE INDEX events_kind_time ON events(kind, time_ms);
  `,
  // recording: init-segment hash per segment (playback knows when the codec setup changes), a garbage
  // queue for retention (rows go first, then files), indexes for "last segment" and "open gap"
  `
  -- init_hash: hash of the segment's cleaned init segment; neighbours with the same hash share one MSE init.
  ALTER TABLE segments ADD COLUMN init_hash TEXT;
  CREATE INDEX segments_cam_end ON segments(camera_id, end_ms);
  CREATE INDEX gaps_cam_end ON gaps(camera_id, end_ms);
  -- Segment files whose rows are deleted and whose files are still to be unlinked: rows go first, then files (S5).
  CREATE TABLE garbage (
    path      TEXT PRIMARY KEY,  -- relative to recordings/
    camera_id TEXT NOT NULL,
    bytes     INTEGER NOT NULL,  -- file size (counts as used until unlinked)
    queued_ms INTEGER NOT NULL   -- when retention queued it
  );
  `,
  // alarms: who acted on which alarm, ordered by the alarm's time, so "alarms by user" pages as fast as "by camera"
  `
  -- (user, alarm they acted on) pairs keyed by the alarm's time; "system" is left out.
  CREATE TABLE alarm_users (
    username   TEXT NOT NULL,
    created_ms INTEGER NOT NULL, -- the alarm's created_ms
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
  -- Small integer ids for the text values every segment row would otherwise repeat.
  CREATE TABLE rec_cameras (
    id        INTEGER PRIMARY KEY,
    camera_id TEXT NOT NULL UNIQUE -- a camera that has (or had) footage
  );
  CREATE TABLE rec_runs (
    id     INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL UNIQUE    -- ingest id, or <ingestId>.<n> after the n-th re-anchoring (recording.md R4)
  );
  CREATE TABLE rec_params (        -- one row per distinct stream setup
    id        INTEGER PRIMARY KEY,
    codec     TEXT,                -- MSE codecs value
    width     INTEGER,             -- pixels
    height    INTEGER,
    init_hash TEXT                 -- hash of the cleaned init segment
  );
  -- One row per closed segment file (~47 B with its index entry; docs/storage.md "Index size").
  CREATE TABLE seg (
    id       INTEGER PRIMARY KEY,
    cam      INTEGER NOT NULL,           -- rec_cameras.id
    start_ms INTEGER NOT NULL,           -- the stamp in the file name
    dur_ms   INTEGER NOT NULL,           -- sum of the video sample durations, ms (end = start_ms + dur_ms)
    bytes    INTEGER NOT NULL,           -- file size
    params   INTEGER,                    -- rec_params.id
    run      INTEGER,                    -- rec_runs.id
    locked   INTEGER NOT NULL DEFAULT 0, -- 1 = evidence: never deleted by retention (S7)
    salvaged INTEGER NOT NULL DEFAULT 0, -- 1 = indexed by salvage after a crash
    alt_path TEXT                        -- the path when it is not the one layout.ts derives, else NULL
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

  -- The old segments table as a view: readers keep their SQL; the triggers below make it writable.
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
  // bookmarks (main/engine/bookmarks/, docs/alarms.md "Bookmarks"): moments a guard marked on Live or Playback, with a
  // note, for the timeline, the search and (later) exported cases. Written on the durable connection together with
  // their audit record.
  `
  CREATE TABLE bookmarks (
    id          INTEGER PRIMARY KEY,
    time_ms     INTEGER NOT NULL,             -- the moment marked
    camera_ids  TEXT NOT NULL DEFAULT '[]',   -- JSON array of the cameras marked (also in bookmark_cameras); at least one
    note        TEXT NOT NULL DEFAULT '',     -- what the guard wrote, word for word (may be empty)
    author      TEXT NOT NULL,                -- the username that made it
    created_ms  INTEGER NOT NULL,             -- when it was made
    updated_ms  INTEGER NOT NULL,             -- last change (= created_ms until edited)
    updated_by  TEXT NOT NULL                 -- who changed it last (= author until edited)
  );
  CREATE INDEX bookmarks_time ON bookmarks(time_ms, id);
  CREATE INDEX bookmarks_author ON bookmarks(author, time_ms, id);
  -- (camera, marked time, bookmark) for a camera's track and "bookmarks of this camera", kept in step with camera_ids.
  CREATE TABLE bookmark_cameras (
    camera_id   TEXT NOT NULL,
    time_ms     INTEGER NOT NULL,             -- the bookmark's time_ms
    bookmark_id INTEGER NOT NULL,
    PRIMARY KEY (camera_id, time_ms, bookmark_id)
  ) WITHOUT ROWID;
  `,
  // evidence export (docs/export.md): cases, export jobs, evidence locks. Written by cases/store.ts,
  // export/job-store.ts and evidence/locks.ts on the durable connection. A lock sets `seg.locked` on the
  // segments it covers (in the same transaction) before any byte is copied; retention and quota purges skip
  // locked segments; releasing a lock clears the flag only where no other active lock covers the segment.
  `
  -- One row per case: an investigation that collects exports, bookmarks and notes over time.
  CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,            -- what people call it ("Gate 2 break-in"); unique, case-insensitive
    reference   TEXT,                     -- an outside reference (police or insurer file number)
    notes       TEXT,                     -- free text
    created_ms  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,            -- username (or the OS user of a CLI export)
    updated_ms  INTEGER NOT NULL,         -- last change of the case or its items
    closed_ms   INTEGER                   -- NULL while the case is open
  );
  CREATE UNIQUE INDEX cases_name ON cases(name COLLATE NOCASE);

  -- What a case collects: exports, bookmarks (the bookmarks concern's ids) and notes.
  CREATE TABLE case_items (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,              -- export | bookmark | note
    ref       TEXT,                       -- export: export_jobs.id; bookmark: the bookmark's id; note: NULL
    text      TEXT,                       -- the note, or a label
    added_ms  INTEGER NOT NULL,
    added_by  TEXT NOT NULL
  );
  CREATE INDEX case_items_case ON case_items(case_id, added_ms);
  CREATE UNIQUE INDEX case_items_ref ON case_items(case_id, kind, ref) WHERE ref IS NOT NULL;

  -- One row per export job, queued to finished (export/queue.ts). Kept after it ends: the list of exports.
  CREATE TABLE export_jobs (
    id              TEXT PRIMARY KEY,     -- x_<hex>
    state           TEXT NOT NULL,        -- queued, waiting, running, done, failed, cancelled, interrupted
    runner          TEXT NOT NULL,        -- engine, or cli:<pid> (a job the command line runs itself)
    created_ms      INTEGER NOT NULL,
    started_ms      INTEGER,              -- copying began
    finished_ms     INTEGER,              -- done, failed or cancelled
    username        TEXT NOT NULL,        -- who asked for it
    case_id         INTEGER,              -- cases.id
    reason          TEXT NOT NULL,        -- why (also in the manifest and the audit trail)
    from_ms         INTEGER NOT NULL,     -- the requested range
    to_ms           INTEGER NOT NULL,
    camera_ids      TEXT NOT NULL,        -- JSON array, in the order asked
    options         TEXT NOT NULL DEFAULT '{}', -- JSON: zip, reencode, source {kind, id}, maskedCameras, estimateBytes
    progress        REAL NOT NULL DEFAULT 0,   -- 0..1, written at most every few seconds (the engine keeps the live value)
    phase           TEXT,                 -- plan, copy, reencode, files, sign, zip, done
    dir             TEXT,                 -- the bundle folder (its final name; only there once done)
    zip             TEXT,                 -- the .zip, when one was made
    bytes           INTEGER,              -- size of the bundle folder
    manifest_sha256 TEXT,                 -- SHA-256 (hex) of manifest.json: also in the audit record
    fingerprint     TEXT,                 -- the signing key's fingerprint
    export_id       TEXT,                 -- the manifest's exportId
    lock_id         INTEGER,              -- evidence_locks.id holding its segments
    error_code      TEXT,                 -- ExportError code when failed (no_space, no_footage, io, ffmpeg, ...)
    error           TEXT                  -- the message shown
  );
  CREATE INDEX export_jobs_created ON export_jobs(created_ms);
  CREATE INDEX export_jobs_state ON export_jobs(state);

  -- One row per evidence lock: the footage of some cameras in a range, kept from retention.
  CREATE TABLE evidence_locks (
    id              INTEGER PRIMARY KEY,
    created_ms      INTEGER NOT NULL,
    username        TEXT NOT NULL,        -- who locked it
    reason          TEXT NOT NULL,
    case_id         INTEGER,              -- cases.id
    export_job      TEXT,                 -- export_jobs.id when an export made it
    from_ms         INTEGER NOT NULL,     -- the locked range: every segment overlapping it
    to_ms           INTEGER NOT NULL,
    segments        INTEGER NOT NULL,     -- segments locked when it was made
    bytes           INTEGER NOT NULL,     -- their size
    manifest_sha256 TEXT,                 -- the export's manifest, once it is signed
    released_ms     INTEGER,              -- NULL while the lock holds
    released_by     TEXT,
    release_reason  TEXT                  -- required to release (a supervisor's, or "export failed/cancelled")
  );
  CREATE INDEX evidence_locks_case ON evidence_locks(case_id);
  -- The cameras of a lock (one row each), for "what holds this segment" and the timeline.
  CREATE TABLE evidence_lock_cameras (
    camera_id TEXT NOT NULL,
    lock_id   INTEGER NOT NULL REFERENCES evidence_locks(id) ON DELETE CASCADE,
    PRIMARY KEY (camera_id, lock_id)
  ) WITHOUT ROWID;
  `,
  // audit (docs/security.md, "Audit checkpoints"): signed checkpoints of the audit trail. Each one is the site key's
  // Ed25519 signature over {n, seq, hash of record seq, head, count, time, key}; `gatehouse audit verify` checks the
  // chain against every checkpoint here and against external copies (MQTT retained, the notify webhook, a file).
  `
  CREATE TABLE audit_checkpoints (
    n         INTEGER PRIMARY KEY, -- 1, 2, 3 ... in signing order, with no holes
    seq       INTEGER NOT NULL,    -- the newest audit record it covers: it vouches for records 1..seq
    hash      TEXT NOT NULL,       -- audit.hash of record seq when it was signed
    time_ms   INTEGER NOT NULL,    -- when it was signed
    key       TEXT NOT NULL,       -- fingerprint (SHA256:..) of the site key that signed it (export-keys.json, retired keys too)
    body      TEXT NOT NULL,       -- the signed bytes: canonical JSON of the checkpoint without "sig"
    sig       TEXT NOT NULL        -- Ed25519 signature of body, base64
  );
  -- Like the trail: no edits; what gets past the triggers shows against the external copies.
  CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
  CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
  `,
  // notify (docs/alarms.md, "On-call escalation and notices"; docs/security.md, "Notifications"): Web Push
  // subscriptions, the notices sent for alarms (and tests) with their outcome, how far each alarm climbed its
  // escalation ladder, and the single-use acknowledge tokens carried by push notifications. The alarm's history
  // (alarm_entries, kind "notice") says the same in words. Written through the durable connection.
  `
  -- One row per browser or phone a user subscribed to Web Push (notify/store.ts).
  CREATE TABLE push_subscriptions (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL,       -- the Gatehouse user it pushes to (and acknowledges as)
    endpoint_hash TEXT NOT NULL UNIQUE,-- SHA-256 (hex) of the endpoint URL: one row per browser subscription
    sealed        TEXT NOT NULL,       -- SecretBox-sealed JSON {endpoint, p256dh, auth}: the endpoint is a capability, auth a secret
    service       TEXT NOT NULL,       -- the endpoint's origin (https://fcm.googleapis.com), shown in Settings
    label         TEXT NOT NULL,       -- what the user called it, or the browser
    priorities    TEXT NOT NULL,       -- JSON array of priorities pushed when raised (may be empty)
    camera_ids    TEXT,                -- JSON array of camera ids, NULL = any camera
    created_ms    INTEGER NOT NULL,
    last_ok_ms    INTEGER,             -- the push service's last 201
    last_error    TEXT,                -- the last failure, in words
    failures      INTEGER NOT NULL DEFAULT 0 -- failed attempts since the last success
  );
  CREATE INDEX push_subscriptions_user ON push_subscriptions(username);

  -- One row per notice to one recipient on one channel (notify/deliveries.ts).
  CREATE TABLE notices (
    id           INTEGER PRIMARY KEY,
    alarm_id     INTEGER,              -- alarms.id; NULL for test notices
    contact_id   TEXT,                 -- config notifications.contacts[].id; NULL for raised-alarm pushes to subscribers
    recipient    TEXT NOT NULL,        -- the contact's name or the subscriber's user name, as it was then
    channel      TEXT NOT NULL,        -- push, email, mqtt, webhook
    target       TEXT NOT NULL,        -- where, shortened (masked e-mail, push service host, topic, webhook host): no secret
    level        INTEGER NOT NULL,     -- the ladder's level (1 = console and subscribers at raise)
    kind         TEXT NOT NULL,        -- raised, escalation, test
    state        TEXT NOT NULL,        -- sending, retrying, delivered, failed, removed (the subscription was gone: 404/410)
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    created_ms   INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL,
    next_ms      INTEGER               -- the next attempt while retrying
  );
  CREATE INDEX notices_alarm ON notices(alarm_id, id);
  CREATE INDEX notices_created ON notices(created_ms, id);

  -- How far each alarm has climbed its priority's ladder (notify/escalation.ts); a restart goes on from here.
  CREATE TABLE notify_ladder (
    alarm_id   INTEGER PRIMARY KEY,    -- alarms.id
    level      INTEGER NOT NULL,       -- the highest level told (1 = only the consoles and subscribers)
    updated_ms INTEGER NOT NULL
  );

  -- Single-use tokens in push notifications' "Acknowledge" action (notify/ack-tokens.ts). Only the hash is kept.
  CREATE TABLE ack_tokens (
    token_hash TEXT PRIMARY KEY,       -- SHA-256 (hex) of the token
    username   TEXT NOT NULL,          -- acknowledges as this user only
    alarm_id   INTEGER NOT NULL,       -- this alarm only
    expires_ms INTEGER NOT NULL,       -- refused after this
    used_ms    INTEGER                 -- set when redeemed: refused from then on
  );
  CREATE INDEX ack_tokens_expires ON ack_tokens(expires_ms);
  `,
  // arming (main/engine/arming/, docs/alarms.md "Arming"): every switch of the site's arming mode, who made
  // it and from where. The newest row is the mode in force (none: the configured initial mode); rules that
  // name modes look up the mode at an event's time here, live and in the dry run. Written on the durable
  // connection together with the switch's audit record; also by `gatehouse arming set` without a server,
  // which a running server picks up by polling max(id).
  `
  CREATE TABLE arming_changes (
    id        INTEGER PRIMARY KEY,
    time_ms   INTEGER NOT NULL, -- when the mode changed
    mode      TEXT NOT NULL,    -- the mode switched to (config arming.modes[].id)
    previous  TEXT,             -- the mode before; NULL for the first switch (the initial mode was in force)
    actor     TEXT NOT NULL,    -- who: a username, cli:<os user>, webhook:<integration id>, mqtt, schedule
    via       TEXT NOT NULL,    -- console, cli, mqtt, webhook, schedule (ARMING_VIAS in api/rules.ts)
    peer      TEXT              -- from where: the client address, the MQTT topic, the schedule entry
  );
  CREATE INDEX arming_changes_time ON arming_changes(time_ms);
  `,
];
