-- Proof of address (#23): the documents checked with check_address, alone or attached to a
-- verification. The declared name and address and the result are sealed.
CREATE TABLE address_checks (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    api_key_id      TEXT NOT NULL DEFAULT '',
    verification_id TEXT,
    status          TEXT NOT NULL,
    document_kind   TEXT NOT NULL DEFAULT '',
    external_ref    TEXT,
    input_sealed    BLOB NOT NULL,
    result_sealed   BLOB NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX address_checks_scope ON address_checks (account_id, mode, id);
CREATE INDEX address_checks_external_ref ON address_checks (account_id, mode, external_ref);
CREATE INDEX address_checks_verification ON address_checks (verification_id);
