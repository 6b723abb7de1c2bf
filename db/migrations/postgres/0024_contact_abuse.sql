-- Abuse limits on one-time codes (issue #28). ip_hash is the keyed hash (Keyring.SignalHash)
-- of the applicant's IP for codes an applicant's session asked for ('' for API callers, whose
-- IP is the integrator's server): the per-IP budget counts those rows in the last hour.
ALTER TABLE contact_codes ADD COLUMN ip_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX contact_codes_ip ON contact_codes (account_id, ip_hash, created_at) WHERE ip_hash <> '';

-- Addresses and numbers a sender refused for good (SMTP 550/551/553 at RCPT, an SMS gateway's
-- 404/410/422): remembered by blind index for 90 days, so no further code is sent to them and
-- checks of them say previously_bounced. No address in clear, no link to a verification.
CREATE TABLE contact_bounces (
    account_id   TEXT NOT NULL,
    mode         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    address_hash TEXT NOT NULL,
    reason       TEXT NOT NULL,
    bounces      INTEGER NOT NULL DEFAULT 1,
    first_at     TIMESTAMPTZ NOT NULL,
    last_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, mode, kind, address_hash)
);
