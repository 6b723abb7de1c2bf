-- Right to erasure (delete_applicant): the applicant and each of its verifications keep their
-- ids, statuses, decisions and timestamps for the audit trail, while every column holding
-- personal data is cleared; deleted_at says when. An erased applicant's external_ref is set
-- to NULL, so the same reference starts a fresh applicant and the old one is kept nowhere.
ALTER TABLE applicants ADD COLUMN deleted_at TIMESTAMP;
ALTER TABLE verifications ADD COLUMN deleted_at TIMESTAMP;
