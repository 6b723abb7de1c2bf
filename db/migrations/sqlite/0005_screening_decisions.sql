-- Analysts' verdicts on screening hits (resolve_screening_hit, issue #6). Append-only: the newest
-- row per (account, mode, subject, source, source_id) is the current verdict, older rows are the
-- audit trail. A verdict holds only while the listed entity's fingerprint is unchanged.
CREATE TABLE screening_decisions (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    mode          TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    subject_ref   TEXT NOT NULL,
    source        TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    verdict       TEXT NOT NULL CHECK (verdict IN ('true_match', 'false_positive', 'escalated')),
    reason_sealed BLOB NOT NULL,
    entity_name   TEXT NOT NULL DEFAULT '',
    decided_by    TEXT NOT NULL,
    decided_at    TIMESTAMP NOT NULL
);
CREATE INDEX screening_decisions_subject ON screening_decisions (account_id, mode, subject_ref, source, source_id, id);

-- Hits raised by ongoing monitoring, one row per applicant and entity version, so a hit is
-- raised once; the unique index makes concurrent monitoring runs converge.
CREATE TABLE screening_alerts (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    applicant_id    TEXT NOT NULL,
    verification_id TEXT NOT NULL,
    source          TEXT NOT NULL,
    source_id       TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    score           REAL NOT NULL,
    cause           TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX screening_alerts_hit ON screening_alerts (account_id, mode, applicant_id, source, source_id, fingerprint);
CREATE INDEX screening_alerts_applicant ON screening_alerts (applicant_id, id);

-- Per-key override of what a strong screening hit does (review | fail; '' = the server default).
ALTER TABLE api_keys ADD COLUMN screening_strong_hit TEXT NOT NULL DEFAULT '';
