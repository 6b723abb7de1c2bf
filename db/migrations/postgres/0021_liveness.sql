-- Liveness a still photo cannot pass (issue #15). issued_to binds a challenge to whoever drew
-- it (the hosted-flow session of its verification, or one API key), so only they may answer
-- it. phash is a perceptual hash of each liveness frame (64-bit DCT hash, 16 hex digits):
-- replayed frames are found by Hamming distance, across the account's verifications, even
-- when re-encoded, stripped of metadata or slightly cropped; like sha256 it says nothing
-- about who is in the picture.
ALTER TABLE liveness_challenges ADD COLUMN issued_to TEXT NOT NULL DEFAULT '';
ALTER TABLE artifacts ADD COLUMN phash TEXT NOT NULL DEFAULT '';
CREATE INDEX artifacts_phash ON artifacts (account_id, mode, kind, created_at) WHERE phash <> '';
