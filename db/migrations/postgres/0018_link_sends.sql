-- Hosted links sent to applicants by send_verification_link (issue #28). The address is
-- sealed; address_hash is the contact blind index, for the per-address send limits. Every
-- row is one send: the limits count rows by verification, address_hash and api_key_id.
CREATE TABLE link_sends (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    api_key_id      TEXT NOT NULL,
    verification_id TEXT NOT NULL REFERENCES verifications (id),
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL,
    address_hash    TEXT NOT NULL,
    address         BYTEA,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX link_sends_verification ON link_sends (verification_id);
CREATE INDEX link_sends_address ON link_sends (account_id, mode, address_hash, created_at);
CREATE INDEX link_sends_key ON link_sends (api_key_id, created_at);
