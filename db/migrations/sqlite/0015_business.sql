-- KYB (#21): the businesses checked with verify_business, the shared GLEIF response cache, and
-- the offline register filled from GLEIF's Golden Copy files by `kycd registry import`.
CREATE TABLE businesses (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    mode          TEXT NOT NULL,
    api_key_id    TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    risk_level    TEXT NOT NULL DEFAULT '',
    external_ref  TEXT,
    lei           TEXT NOT NULL DEFAULT '',
    input_sealed  BLOB NOT NULL,
    result_sealed BLOB,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    decided_at    TIMESTAMP
);
CREATE INDEX businesses_scope ON businesses (account_id, mode, id);
CREATE INDEX businesses_external_ref ON businesses (account_id, mode, external_ref);

-- Raw GLEIF API responses by request URL (business.Cache), with their expiry.
CREATE TABLE business_cache_entries (
    key        TEXT PRIMARY KEY,
    body       BLOB NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- The offline register (business.Register). Data columns hold the records as JSON.
CREATE TABLE gleif_records (
    lei           TEXT PRIMARY KEY,
    registered_as TEXT NOT NULL DEFAULT '',
    data          TEXT NOT NULL
);
CREATE INDEX gleif_records_registered_as ON gleif_records (registered_as);
CREATE TABLE gleif_name_words (
    word TEXT NOT NULL,
    lei  TEXT NOT NULL,
    PRIMARY KEY (word, lei)
);
CREATE TABLE gleif_relationships (
    start_lei TEXT NOT NULL,
    end_lei   TEXT NOT NULL,
    type      TEXT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (start_lei, end_lei, type)
);
CREATE INDEX gleif_relationships_end ON gleif_relationships (end_lei, type);
CREATE TABLE gleif_exceptions (
    lei      TEXT NOT NULL,
    category TEXT NOT NULL,
    data     TEXT NOT NULL,
    PRIMARY KEY (lei, category)
);
CREATE TABLE gleif_imports (
    id            TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    files         TEXT NOT NULL,
    records       INTEGER NOT NULL,
    relationships INTEGER NOT NULL,
    exceptions    INTEGER NOT NULL,
    skipped       INTEGER NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP NOT NULL
);
