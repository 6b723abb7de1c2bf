-- ePassport chips (issue #24): verified chip reads, Active Authentication challenges, and the
-- CSCA trust store shared by every process. The chip's personal data (the MRZ in the result,
-- the DG2 portrait) is sealed with the store keyring before it reaches nfc_scans; raw data
-- groups are never stored.
CREATE TABLE nfc_scans (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL REFERENCES accounts (id),
    mode                TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    verification_id     TEXT REFERENCES verifications (id),
    api_key_id          TEXT NOT NULL,
    chip_authentic      BOOLEAN NOT NULL,
    dg_hashes_valid     BOOLEAN NOT NULL,
    sod_signature_valid BOOLEAN NOT NULL,
    dsc_trusted         BOOLEAN NOT NULL,
    active_auth         TEXT NOT NULL CHECK (active_auth IN ('passed', 'failed', 'not_performed')),
    issuing_country     TEXT NOT NULL,
    trust_store         TEXT NOT NULL,
    details             BYTEA,
    face                BYTEA,
    created_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX nfc_scans_scope ON nfc_scans (account_id, mode, id);
CREATE INDEX nfc_scans_verification ON nfc_scans (verification_id, id);

CREATE TABLE nfc_challenges (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    mode            TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    verification_id TEXT REFERENCES verifications (id),
    nonce           TEXT NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    used_at         TIMESTAMPTZ,
    scan_id         TEXT,
    created_at      TIMESTAMPTZ NOT NULL
);

-- Trust anchors: public certificates, not personal data. A process reloads them when the
-- count or the newest imported_at changes (kycd csca import in another process).
CREATE TABLE csca_certificates (
    id          TEXT PRIMARY KEY,
    country     TEXT NOT NULL,
    subject     TEXT NOT NULL,
    not_before  TIMESTAMPTZ NOT NULL,
    not_after   TIMESTAMPTZ NOT NULL,
    source      TEXT NOT NULL,
    der         BYTEA NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX csca_certificates_country ON csca_certificates (country, subject);

CREATE TABLE csca_revocation_lists (
    id          TEXT PRIMARY KEY,
    issuer      TEXT NOT NULL,
    this_update TIMESTAMPTZ NOT NULL,
    source      TEXT NOT NULL,
    der         BYTEA NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL
);
