-- An additional document of a flow (additional_document step, submit_additional_document: a
-- bank card, a residence permit's back) is an artifact, kept as evidence.
-- SQLite cannot change a CHECK constraint: the table is rebuilt (nothing references it).
CREATE TABLE artifacts_new (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    mode            TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    verification_id TEXT NOT NULL REFERENCES verifications (id),
    kind            TEXT NOT NULL CHECK (kind IN ('selfie', 'liveness_frame', 'document_front', 'document_back', 'document_portrait', 'selfie_with_document', 'additional_document')),
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
