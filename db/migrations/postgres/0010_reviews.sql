-- Manual review decisions (review_verification): who moved a needs_review verification to
-- approved or rejected, when, which way and why, so every surface shows the review with the
-- verification. The reason is sealed at rest like an analyst's screening verdict; the
-- verification.reviewed event carries the same data for the timeline and webhooks.
ALTER TABLE verifications ADD COLUMN reviewed_at TIMESTAMPTZ;
ALTER TABLE verifications ADD COLUMN reviewed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE verifications ADD COLUMN review_decision TEXT NOT NULL DEFAULT '';
ALTER TABLE verifications ADD COLUMN review_reason_sealed BYTEA;
