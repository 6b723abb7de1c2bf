-- Ongoing-screening runs as an account sees them (issue #25, the dashboard's monitoring runs):
-- one row per run and account/mode that had anything monitored, with what the run did there.
-- run_id ties the rows of one run (it covers every account) together.
CREATE TABLE monitoring_runs (
    id                 TEXT PRIMARY KEY,
    run_id             TEXT NOT NULL,
    account_id         TEXT NOT NULL,
    mode               TEXT NOT NULL,
    cause              TEXT NOT NULL,
    lists              TEXT NOT NULL DEFAULT '{}',
    started_at         TIMESTAMPTZ NOT NULL,
    finished_at        TIMESTAMPTZ NOT NULL,
    subjects           INTEGER NOT NULL DEFAULT 0,
    skipped            INTEGER NOT NULL DEFAULT 0,
    with_hits          INTEGER NOT NULL DEFAULT 0,
    new_hits           INTEGER NOT NULL DEFAULT 0,
    flagged            INTEGER NOT NULL DEFAULT 0,
    moved              INTEGER NOT NULL DEFAULT 0,
    businesses_checked INTEGER NOT NULL DEFAULT 0,
    businesses_changed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX monitoring_runs_scope ON monitoring_runs (account_id, mode, id);
