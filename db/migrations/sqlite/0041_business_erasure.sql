-- Erasing a business check (delete_business): officers named in what the caller sent and in
-- the result are people. Checks made from now on are sealed with a data key of their own
-- (owner = the business id), destroyed on deletion; deleted_at marks the row, which keeps its
-- id, status, risk level, LEI and timestamps and leaves ongoing monitoring.
ALTER TABLE businesses ADD COLUMN deleted_at TIMESTAMP;
