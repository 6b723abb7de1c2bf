-- Per-key high-risk jurisdictions for verify_business (#21): ISO 3166 codes, comma-separated;
-- '' = the server's --high-risk-jurisdictions, 'none' = no jurisdiction is high risk for this key.
ALTER TABLE api_keys ADD COLUMN high_risk_jurisdictions TEXT NOT NULL DEFAULT '';
