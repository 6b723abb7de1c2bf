-- Worker processes and their heartbeats (#17 §4): a job still `running` whose River client has
-- stopped beating belongs to a dead process and is handed back at once, instead of waiting for
-- River's rescuer (an hour by default).
CREATE TABLE worker_heartbeats (
    client_id  TEXT PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    seen_at    TIMESTAMPTZ NOT NULL
);
