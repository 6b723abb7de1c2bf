-- IP and device signals of the applicant's requests (issue #28). The first and the latest
-- request's signals (IP, country, ASN, user agent) are sealed with the store keyring like the
-- applicant data; signals_fingerprint is a keyed hash of the latest IP and user agent, so a
-- repeat of the same request writes nothing; signal_reasons are the reason codes (they name
-- no one). signal_ips counts verifications per IP for ip_velocity by a keyed hash of the IP,
-- never the IP in clear.
ALTER TABLE verifications ADD COLUMN signals_first BLOB;
ALTER TABLE verifications ADD COLUMN signals_latest BLOB;
ALTER TABLE verifications ADD COLUMN signals_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE verifications ADD COLUMN signal_reasons TEXT NOT NULL DEFAULT '';

CREATE TABLE signal_ips (
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    mode            TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    ip_hash         TEXT NOT NULL,
    verification_id TEXT NOT NULL REFERENCES verifications (id),
    first_seen      TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, mode, ip_hash, verification_id)
);
CREATE INDEX signal_ips_window ON signal_ips (account_id, mode, ip_hash, first_seen);
CREATE INDEX signal_ips_verification ON signal_ips (verification_id);
