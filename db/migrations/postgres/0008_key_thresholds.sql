-- Per-key biometric thresholds (issue #5): 0 = the server's calibrated default.
ALTER TABLE api_keys ADD COLUMN face_match_threshold DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN liveness_threshold DOUBLE PRECISION NOT NULL DEFAULT 0;
-- Origins allowed to embed this key's hosted flow in an iframe (issue #7), comma-separated;
-- added to the server's --frame-ancestors.
ALTER TABLE api_keys ADD COLUMN embed_origins TEXT NOT NULL DEFAULT '';
