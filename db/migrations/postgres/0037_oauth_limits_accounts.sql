-- OAuth (issue #26), the last items: registration rate limits and operators of several accounts.

-- One row per client registration (RFC 7591 POST /oauth/register) or Client ID Metadata Document
-- fetch, counted per subject ("dcr:ip:<ip>", "dcr:global", "cimd:ip:<ip>", "cimd:global") over a
-- sliding window, so every kycd process on the database shares the same budget.
CREATE TABLE oauth_registration_events (
    subject TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX oauth_registration_events_subject ON oauth_registration_events (subject, at);

-- Further accounts an operator may act for, beside the account of their users row, each with
-- its own role. The OAuth consent page offers every one of them; the token maps to the one chosen.
CREATE TABLE user_account_memberships (
    user_id    TEXT NOT NULL,
    account_id TEXT NOT NULL,
    role       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, account_id)
);
CREATE INDEX user_account_memberships_account ON user_account_memberships (account_id);
