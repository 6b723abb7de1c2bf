-- Biometrics (issue #5): uploaded images, active-liveness challenges, enrolled faces for
-- duplicate search, reusable identity tokens, and document numbers seen. Images, embeddings
-- and analyses are sealed with the store keyring before they reach these tables.
CREATE TABLE artifacts (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    mode            TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    verification_id TEXT NOT NULL REFERENCES verifications (id),
    kind            TEXT NOT NULL CHECK (kind IN ('selfie', 'liveness_frame', 'document_front', 'document_back', 'document_portrait')),
    seq             INTEGER NOT NULL DEFAULT 0,
    challenge_id    TEXT NOT NULL DEFAULT '',
    sha256          TEXT NOT NULL,
    size            INTEGER NOT NULL CHECK (size > 0),
    content_type    TEXT NOT NULL,
    data            BYTEA,
    analysis        BYTEA,
    created_at      TIMESTAMPTZ NOT NULL,
    purged_at       TIMESTAMPTZ
);
CREATE INDEX artifacts_verification ON artifacts (verification_id, kind, id);
-- Replay detection: has this exact frame been submitted before in the scope?
CREATE INDEX artifacts_sha256 ON artifacts (account_id, mode, sha256);

CREATE TABLE liveness_challenges (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    mode            TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    verification_id TEXT NOT NULL REFERENCES verifications (id),
    nonce_hash      TEXT NOT NULL UNIQUE,
    steps           TEXT NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    used_at         TIMESTAMPTZ,
    passed          BOOLEAN,
    result          TEXT,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX liveness_challenges_verification ON liveness_challenges (verification_id, id);

CREATE TABLE face_enrollments (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    mode            TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    verification_id TEXT NOT NULL UNIQUE REFERENCES verifications (id),
    applicant_id    TEXT NOT NULL,
    model           TEXT NOT NULL,
    embedding       BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX face_enrollments_scope ON face_enrollments (account_id, mode, model, id);

CREATE TABLE identity_tokens (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    mode            TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    verification_id TEXT NOT NULL UNIQUE REFERENCES verifications (id),
    applicant_id    TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    model           TEXT NOT NULL,
    embedding       BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    revoked_at      TIMESTAMPTZ,
    last_used_at    TIMESTAMPTZ
);

CREATE TABLE document_uses (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    mode            TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    number_hash     TEXT NOT NULL,
    identity_hash   TEXT NOT NULL,
    verification_id TEXT NOT NULL REFERENCES verifications (id),
    applicant_id    TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (account_id, mode, number_hash, verification_id)
);

ALTER TABLE verifications ADD COLUMN reused_from TEXT;
ALTER TABLE verifications ADD COLUMN identity_token BYTEA;
