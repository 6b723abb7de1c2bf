-- Desktop-to-phone hand-off links of the hosted flow (issue #7): each issued link is stored
-- by the SHA-256 of its token so that it opens the session once. A redeem is one conditional
-- UPDATE (redeemed_at IS NULL AND expires_at > now), so two phones cannot both win.
CREATE TABLE handoffs (
    token_hash      TEXT PRIMARY KEY,
    verification_id TEXT NOT NULL REFERENCES verifications (id),
    expires_at      TIMESTAMPTZ NOT NULL,
    redeemed_at     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX handoffs_verification ON handoffs (verification_id, expires_at);
