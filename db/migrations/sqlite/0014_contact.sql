-- Email and phone checks and their one-time codes (issue #28). Addresses are sealed (result,
-- address); address_hash is a keyed blind index for the per-address send limits. Every code
-- row is one send: the limits count rows by address_hash and by api_key_id in the last hour.
CREATE TABLE contact_checks (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    api_key_id      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    verification_id TEXT REFERENCES verifications (id),
    external_ref    TEXT,
    address_hash    TEXT NOT NULL DEFAULT '',
    result          BLOB,
    risk_level      TEXT NOT NULL,
    confirmed_at    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX contact_checks_verification ON contact_checks (verification_id) WHERE verification_id IS NOT NULL;

CREATE TABLE contact_codes (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    api_key_id      TEXT NOT NULL,
    check_id        TEXT NOT NULL REFERENCES contact_checks (id),
    kind            TEXT NOT NULL,
    verification_id TEXT REFERENCES verifications (id),
    address_hash    TEXT NOT NULL,
    address         BLOB,
    state           TEXT NOT NULL,
    channel         TEXT NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    superseded_at   TIMESTAMP,
    superseded_by   TEXT,
    confirmed_at    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX contact_codes_address ON contact_codes (account_id, mode, address_hash, created_at);
CREATE INDEX contact_codes_key ON contact_codes (api_key_id, created_at);
CREATE INDEX contact_codes_verification ON contact_codes (verification_id) WHERE verification_id IS NOT NULL;
