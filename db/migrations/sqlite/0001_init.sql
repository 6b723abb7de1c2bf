CREATE TABLE accounts (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    name         TEXT NOT NULL,
    mode         TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    checks       TEXT NOT NULL DEFAULT '[]',
    rate_limit   INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP,
    last_used_at TIMESTAMP
);

CREATE TABLE applicants (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    mode         TEXT NOT NULL,
    external_ref TEXT,
    pii          BLOB,
    profile      BLOB,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX applicants_external_ref ON applicants (account_id, mode, external_ref) WHERE external_ref IS NOT NULL;
CREATE INDEX applicants_list ON applicants (account_id, mode, id);

CREATE TABLE verifications (
    id            TEXT PRIMARY KEY,
    reference     TEXT NOT NULL UNIQUE,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    mode          TEXT NOT NULL,
    api_key_id    TEXT NOT NULL,
    applicant_id  TEXT NOT NULL REFERENCES applicants (id),
    status        TEXT NOT NULL,
    document_type TEXT NOT NULL DEFAULT '',
    checks        TEXT NOT NULL,
    external_ref  TEXT,
    metadata      TEXT NOT NULL DEFAULT '{}',
    applicant_pii BLOB,
    redirect_url  TEXT NOT NULL DEFAULT '',
    callback_url  TEXT NOT NULL DEFAULT '',
    min_age       INTEGER,
    max_age       INTEGER,
    locale        TEXT NOT NULL DEFAULT '',
    token_hash    TEXT NOT NULL UNIQUE,
    token_sealed  BLOB NOT NULL,
    result        TEXT,
    expires_at    TIMESTAMP NOT NULL,
    submitted_at  TIMESTAMP,
    completed_at  TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX verifications_list ON verifications (account_id, mode, id);
CREATE INDEX verifications_applicant ON verifications (applicant_id, id);
CREATE INDEX verifications_expiry ON verifications (status, expires_at);
CREATE INDEX verifications_external_ref ON verifications (account_id, mode, external_ref);

CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    mode        TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    type        TEXT NOT NULL,
    data        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (object_id, seq)
);
CREATE INDEX events_list ON events (account_id, mode, id);

CREATE TABLE idempotency_keys (
    account_id   TEXT NOT NULL,
    mode         TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, mode, key)
);
