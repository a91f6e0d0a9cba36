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
];
