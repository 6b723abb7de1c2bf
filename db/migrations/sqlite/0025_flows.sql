-- Verification flows (issue #22): a flow is a named definition per account and mode; each
-- change is a new immutable row in flow_versions, so a verification that ran version N can
-- always be explained by it. flows.version is the latest; archived flows take no new
-- verifications but keep their versions for the ones that ran them.
CREATE TABLE flows (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    mode        TEXT NOT NULL,
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    archived_at TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX flows_name ON flows (account_id, mode, name);

CREATE TABLE flow_versions (
    flow_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    api_key_id  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (flow_id, version)
);

-- The flow version a verification runs, its session options and where it came from.
-- session_deadline is set when the applicant starts (session_length seconds later);
-- options is JSON (additional_steps, compare, policy) fixed at creation.
ALTER TABLE verifications ADD COLUMN flow_id TEXT NOT NULL DEFAULT '';
ALTER TABLE verifications ADD COLUMN flow_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE verifications ADD COLUMN session_length INTEGER NOT NULL DEFAULT 0;
ALTER TABLE verifications ADD COLUMN session_deadline TIMESTAMP;
ALTER TABLE verifications ADD COLUMN options TEXT NOT NULL DEFAULT '';
ALTER TABLE verifications ADD COLUMN restarted_from TEXT;

-- An API key's default flow (by name; '' = none: the key's checks as before).
ALTER TABLE api_keys ADD COLUMN default_flow TEXT NOT NULL DEFAULT '';

-- Short codes that continue a session on another device. code_hash is the keyed hash of the
-- 8 digits; a code is unique among open sessions (the row is taken over once expired).
CREATE TABLE session_codes (
    code_hash       TEXT PRIMARY KEY,
    verification_id TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    expires_at      TIMESTAMP NOT NULL
);
CREATE INDEX session_codes_verification ON session_codes (verification_id);

-- Wrong code tries, by keyed hash of the client (IP, or API key): at most 5 a minute.
CREATE TABLE session_code_failures (
    client_hash TEXT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX session_code_failures_client ON session_code_failures (client_hash, at);

-- The picture of the applicant holding their document (selfie_with_document) is an artifact.
-- SQLite cannot change a CHECK constraint: the table is rebuilt (nothing references it).
CREATE TABLE artifacts_new (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    mode            TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    verification_id TEXT NOT NULL REFERENCES verifications (id),
    kind            TEXT NOT NULL CHECK (kind IN ('selfie', 'liveness_frame', 'document_front', 'document_back', 'document_portrait', 'selfie_with_document')),
    seq             INTEGER NOT NULL DEFAULT 0,
    challenge_id    TEXT NOT NULL DEFAULT '',
    sha256          TEXT NOT NULL,
    size            INTEGER NOT NULL CHECK (size > 0),
    content_type    TEXT NOT NULL,
    data            BLOB,
    analysis        BLOB,
    created_at      TIMESTAMP NOT NULL,
    purged_at       TIMESTAMP,
    phash           TEXT NOT NULL DEFAULT ''
);
INSERT INTO artifacts_new (id, account_id, mode, verification_id, kind, seq, challenge_id, sha256, size, content_type, data, analysis, created_at, purged_at, phash)
    SELECT id, account_id, mode, verification_id, kind, seq, challenge_id, sha256, size, content_type, data, analysis, created_at, purged_at, phash FROM artifacts;
DROP TABLE artifacts;
ALTER TABLE artifacts_new RENAME TO artifacts;
CREATE INDEX artifacts_verification ON artifacts (verification_id, kind, id);
CREATE INDEX artifacts_sha256 ON artifacts (account_id, mode, sha256);
CREATE INDEX artifacts_phash ON artifacts (account_id, mode, kind, created_at) WHERE phash <> '';
