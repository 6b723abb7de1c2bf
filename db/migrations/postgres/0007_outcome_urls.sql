-- Per-outcome redirects of the hosted flow (issue #7): where the applicant goes when the
-- verification is approved, rejected (or ends unfinished) and sent to review; each falls back
-- to redirect_url when empty.
ALTER TABLE verifications ADD COLUMN success_url TEXT NOT NULL DEFAULT '';
ALTER TABLE verifications ADD COLUMN failure_url TEXT NOT NULL DEFAULT '';
ALTER TABLE verifications ADD COLUMN review_url TEXT NOT NULL DEFAULT '';
-- Issuing states the document check accepts for this verification (comma-separated ICAO codes;
-- empty = any the server accepts).
ALTER TABLE verifications ADD COLUMN allowed_countries TEXT NOT NULL DEFAULT '';
