-- Operator accounts (issue #25): people who sign in to the dashboard. Passwords are argon2id
-- (PHC string); the TOTP secret is sealed with the keyring; recovery codes are SHA-256 hashes
-- (JSON array, a used one is removed). A new user has no password until they open the one-time
-- setup link, whose token is kept only as a hash.
CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL,
    email               TEXT NOT NULL UNIQUE,
    role                TEXT NOT NULL,
    password_hash       TEXT NOT NULL DEFAULT '',
    totp_secret         BYTEA,
    totp_last_step      BIGINT NOT NULL DEFAULT 0,
    recovery_codes      TEXT NOT NULL DEFAULT '[]',
    setup_token_hash    TEXT UNIQUE,
    setup_expires_at    TIMESTAMPTZ,
    disabled_at         TIMESTAMPTZ,
    password_changed_at TIMESTAMPTZ,
    last_login_at       TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_account ON users (account_id);

-- Server-side sessions: the cookie holds a random token, the row its SHA-256. stage is
-- 'totp' between a correct password and the second factor, then 'active'.
CREATE TABLE user_sessions (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL,
    stage        TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    mode         TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

-- Failed sign-ins, counted per subject (a hash of the e-mail given, or the client IP) over
-- a sliding window for throttling; old rows are deleted by the sign-in itself.
CREATE TABLE login_failures (
    subject TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_subject ON login_failures (subject, at);
