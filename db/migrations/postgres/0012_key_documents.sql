-- Per-key document policy (issue #4): the issuing states and document types this key's
-- verifications accept, comma-separated; '' = whatever the server accepts.
ALTER TABLE api_keys ADD COLUMN document_countries TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN document_types TEXT NOT NULL DEFAULT '';
