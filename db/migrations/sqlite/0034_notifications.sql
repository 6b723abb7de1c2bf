-- Team notifications (issue #25). notification_settings: one row per operator (user) saying which
-- events reach them (case_review, screening_match, endpoint_disabled, key_expiring: off,
-- immediate or daily digest) and through which channels (e-mail to their sign-in address, and/or
-- a signed HTTPS POST to webhook_url). notifications: one row per event, user and channel — the
-- unique (user_id, channel, dedupe_key) makes every producer idempotent — with its delivery status;
-- rows of a digest point at the digest row that carried them. api_keys.expires_at: a key stops
-- working at that time (NULL = never), and its admins are told beforehand.
ALTER TABLE api_keys ADD COLUMN expires_at TIMESTAMP;
CREATE INDEX api_keys_expiry ON api_keys (expires_at) WHERE expires_at IS NOT NULL AND revoked_at IS NULL;

CREATE TABLE notification_settings (
    user_id               TEXT PRIMARY KEY,
    account_id            TEXT NOT NULL,
    email                 BOOLEAN NOT NULL DEFAULT FALSE,
    webhook_url           TEXT NOT NULL DEFAULT '',
    webhook_secret_sealed BLOB,
    events                TEXT NOT NULL DEFAULT '{}',
    test_mode             BOOLEAN NOT NULL DEFAULT FALSE,
    digest_hour           INTEGER NOT NULL DEFAULT 8,
    last_digest_at        TIMESTAMP,
    updated_at            TIMESTAMP NOT NULL,
    updated_by            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notification_settings_account ON notification_settings (account_id);

CREATE TABLE notifications (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    mode          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    channel       TEXT NOT NULL,
    dedupe_key    TEXT NOT NULL,
    object_type   TEXT NOT NULL DEFAULT '',
    object_id     TEXT NOT NULL DEFAULT '',
    summary       TEXT NOT NULL DEFAULT '',
    data          TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL,
    digest_id     TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    sent_at       TIMESTAMP,
    UNIQUE (user_id, channel, dedupe_key)
);
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_digest_due ON notifications (status, user_id) WHERE status = 'digest';
