-- An additional document of a flow (additional_document step, submit_additional_document: a
-- bank card, a residence permit's back) is an artifact, kept as evidence.
ALTER TABLE artifacts DROP CONSTRAINT IF EXISTS artifacts_kind_check;
ALTER TABLE artifacts ADD CONSTRAINT artifacts_kind_check
    CHECK (kind IN ('selfie', 'liveness_frame', 'document_front', 'document_back', 'document_portrait', 'selfie_with_document', 'additional_document'));
