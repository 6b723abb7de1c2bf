-- The cross-check face model's vector of a reusable identity (issue #16): a re-verification's
-- selfie must also match it (sealed like embedding); '' / NULL for tokens issued before.
ALTER TABLE identity_tokens ADD COLUMN cross_check_model TEXT NOT NULL DEFAULT '';
ALTER TABLE identity_tokens ADD COLUMN cross_check BLOB;
