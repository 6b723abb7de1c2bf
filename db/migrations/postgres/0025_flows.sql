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
    archived_at TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX flows_name ON flows (account_id, mode, name);

CREATE TABLE flow_versions (
    flow_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    api_key_id  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (flow_id, version)
);

-- The flow version a verification runs, its session options and where it came from.
-- session_deadline is set when the applicant starts (session_length seconds later);
-- options is JSON (additional_steps, compare, policy) fixed at creation.
ALTER TABLE verifications ADD COLUMN flow_id TEXT NOT NULL DEFAULT '';
ALTER TABLE verifications ADD COLUMN flow_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE verifications ADD COLUMN session_length INTEGER NOT NULL DEFAULT 0;
ALTER TABLE verifications ADD COLUMN session_deadline TIMESTAMPTZ;
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
    expires_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX session_codes_verification ON session_codes (verification_id);

-- Wrong code tries, by keyed hash of the client (IP, or API key): at most 5 a minute.
CREATE TABLE session_code_failures (
    client_hash TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX session_code_failures_client ON session_code_failures (client_hash, at);

-- The picture of the applicant holding their document (selfie_with_document) is an artifact.
ALTER TABLE artifacts DROP CONSTRAINT IF EXISTS artifacts_kind_check;
ALTER TABLE artifacts ADD CONSTRAINT artifacts_kind_check
    CHECK (kind IN ('selfie', 'liveness_frame', 'document_front', 'document_back', 'document_portrait', 'selfie_with_document'));
