-- Crypto-shredding (issue #17): one data key per applicant and one per verification, each
-- wrapped (AES-256-GCM) with the keyring's primary key. The applicant's PII, the verification's
-- applicant data, result, events, reasons, images and face templates are sealed with these
-- keys ("d1:<owner id>:…"); delete_applicant deletes the rows, so every copy of that
-- ciphertext (WAL, replicas, backups) is unreadable from then on. Rows written before this
-- migration stay sealed with the keyring (or, for results and events, plain) and are still
-- scrubbed by the erasure.
CREATE TABLE data_keys (
    owner_id   TEXT PRIMARY KEY,
    wrapped    BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
