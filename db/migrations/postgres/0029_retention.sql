-- Scheduled deletion and retention (issue #25). An applicant with deletion_scheduled_at is
-- hidden from reads and frozen (no new verification joins it) until restored or purged by the
-- retention job at that time. retention_policies: per account and mode, applicants are erased
-- delete_after_days after their last verification ended (0 = never); legal_hold blocks every
-- deletion of the scope (scheduled, by policy and delete_applicant).
ALTER TABLE applicants ADD COLUMN deletion_scheduled_at TIMESTAMPTZ;
CREATE INDEX applicants_deletion_due ON applicants (deletion_scheduled_at) WHERE deletion_scheduled_at IS NOT NULL;

CREATE TABLE retention_policies (
    account_id        TEXT NOT NULL,
    mode              TEXT NOT NULL,
    delete_after_days INTEGER NOT NULL DEFAULT 0,
    legal_hold        BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at        TIMESTAMPTZ NOT NULL,
    updated_by        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (account_id, mode)
);
