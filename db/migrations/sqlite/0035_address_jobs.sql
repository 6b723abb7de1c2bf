-- Proof of address read in a River job (#23): check_address stores the document sealed and
-- the check as processing; the address.read job reads it, stores the result, clears the
-- document and sets decided_at.
ALTER TABLE address_checks ADD COLUMN document_sealed BLOB;
ALTER TABLE address_checks ADD COLUMN decided_at TIMESTAMP;
UPDATE address_checks SET decided_at = created_at WHERE decided_at IS NULL;
