-- Per-key face-match decision thresholds (issue #16): the bottom of the first-verification
-- review band and a re-verification's accept threshold. 0 = derived from the key's (or the
-- server's) accept threshold, see verify/biometrics_thresholds.go.
ALTER TABLE api_keys ADD COLUMN face_match_reject_threshold DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN reverify_match_threshold DOUBLE PRECISION NOT NULL DEFAULT 0;
