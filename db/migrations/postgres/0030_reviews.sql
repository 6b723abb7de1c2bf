-- The review desk (#25): who works a case, what reviewers wrote on it, every decision with its
-- reason codes (a resubmission request keeps the checks asked again and the result it replaced,
-- sealed with the verification's data key, so erasure shreds it too).
CREATE TABLE review_assignments (
    verification_id TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    assignee        TEXT NOT NULL,
    assigned_by     TEXT NOT NULL,
    assigned_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX review_assignments_assignee ON review_assignments (account_id, mode, assignee);

CREATE TABLE review_comments (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    verification_id TEXT NOT NULL,
    author          TEXT NOT NULL,
    body_sealed     BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX review_comments_verification ON review_comments (verification_id, id);

CREATE TABLE review_decisions (
    id                     TEXT PRIMARY KEY,
    account_id             TEXT NOT NULL,
    mode                   TEXT NOT NULL,
    verification_id        TEXT NOT NULL,
    decision               TEXT NOT NULL,
    reason_codes           TEXT NOT NULL DEFAULT '',
    reviewer               TEXT NOT NULL,
    checks                 TEXT NOT NULL DEFAULT '',
    previous_checks        TEXT NOT NULL DEFAULT '',
    previous_result_sealed BYTEA,
    created_at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX review_decisions_verification ON review_decisions (verification_id, id);
CREATE INDEX review_decisions_scope ON review_decisions (account_id, mode, created_at);

-- What the dashboard searches and counts without opening sealed columns: per verification, the
-- outcome of each check and the reason codes of its decision (no personal data), the issuing
-- country the document check read (else the applicant data's) and the applicant's name and its parts as
-- keyed hashes (blind index). Filled lazily from the sealed rows by the tools that read it (db/analytics.go);
-- indexed_status and key_id say when a row is stale (the decision changed, the key rotated).
CREATE TABLE verification_index (
    verification_id TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    indexed_status  TEXT NOT NULL,
    erased          BOOLEAN NOT NULL DEFAULT FALSE,
    key_id          TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL DEFAULT '',
    failed_checks   TEXT NOT NULL DEFAULT '',
    indexed_at      TIMESTAMPTZ NOT NULL
);
CREATE TABLE verification_check_outcomes (
    verification_id TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    check_name      TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    PRIMARY KEY (verification_id, check_name)
);
CREATE INDEX verification_check_outcomes_scope ON verification_check_outcomes (account_id, mode, check_name);
CREATE TABLE verification_reason_codes (
    verification_id TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    code            TEXT NOT NULL,
    PRIMARY KEY (verification_id, code)
);
CREATE INDEX verification_reason_codes_scope ON verification_reason_codes (account_id, mode, code);
CREATE TABLE verification_name_index (
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    name_hash       TEXT NOT NULL,
    verification_id TEXT NOT NULL,
    PRIMARY KEY (account_id, mode, name_hash, verification_id)
);
CREATE INDEX verification_name_index_verification ON verification_name_index (verification_id);
