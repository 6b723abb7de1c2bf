-- OAuth 2.1 for remote MCP clients (issue #26): kycd's own authorization server.
-- Signing keys of the JWT access tokens: the private key sealed with the keyring, the public
-- JWK in clear for the JWKS document. The newest unretired key signs; every key not yet
-- retired is published, so a rotation never invalidates a token in flight.
CREATE TABLE oauth_signing_keys (
    id          TEXT PRIMARY KEY,
    alg         TEXT NOT NULL,
    private_key BYTEA NOT NULL,
    public_jwk  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    retired_at  TIMESTAMPTZ
);

-- Clients: registered dynamically (RFC 7591, id oac_…) or known by their metadata document
-- (the https URL is the id, refetched when stale).
CREATE TABLE oauth_clients (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    metadata      TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL
);

-- A grant is one operator's consent for one client: one account, one mode, its scopes. Every
-- access and refresh token belongs to exactly one grant; revoking it ends them all.
CREATE TABLE oauth_grants (
    id           TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL,
    client_name  TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    mode         TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    resource     TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX oauth_grants_account ON oauth_grants (account_id, mode, created_at);

-- Authorization codes (hash only): one minute, one use. The consent is carried here until the
-- code is exchanged; the grant is created then.
CREATE TABLE oauth_codes (
    code_hash      TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    client_name    TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    mode           TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    resource       TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    grant_id       TEXT NOT NULL DEFAULT '',
    expires_at     TIMESTAMPTZ NOT NULL,
    used_at        TIMESTAMPTZ
);

-- Refresh tokens (hash only), rotated on every use: used_at marks a spent one, and presenting a
-- spent one again revokes its whole grant (reuse detection).
CREATE TABLE oauth_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens (grant_id);
