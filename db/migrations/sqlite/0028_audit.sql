-- The audit trail (issue #25): append-only and hash-chained per account. Each row holds the
-- hash of the account's previous row (prev_hash) and its own (hash, over a canonical encoding
-- of every column and prev_hash), so an edited, deleted or reordered row breaks the chain;
-- audit_heads holds each chain's last seq and hash, so a truncated tail is noticed too.
CREATE TABLE audit_events (
    account_id  TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    id          TEXT NOT NULL UNIQUE,
    at          TIMESTAMP NOT NULL,
    mode        TEXT NOT NULL DEFAULT '',
    actor_type  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_email TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    tool        TEXT NOT NULL DEFAULT '',
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    user_agent  TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (account_id, seq)
);
CREATE INDEX audit_events_at ON audit_events (account_id, at);

CREATE TABLE audit_heads (
    account_id TEXT PRIMARY KEY,
    seq        BIGINT NOT NULL,
    hash       TEXT NOT NULL
);

-- Append-only: kycd never changes or deletes a row. (Whoever can drop this trigger can still
-- edit the table; the chain is what shows it.)
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
