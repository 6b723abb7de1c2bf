-- Per-key active liveness (issue #16): a key may require a passed active liveness challenge
-- for its verifications and re-verifications, as the server's --liveness-require-active does
-- for every key. false = the server's setting.
ALTER TABLE api_keys ADD COLUMN liveness_require_active BOOLEAN NOT NULL DEFAULT false;
