-- The loaded sanctions / PEP lists: one current version per source, shared by every process.
CREATE TABLE screening_lists (
    source      TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL,
    entities    INTEGER NOT NULL,
    loaded_at   TIMESTAMPTZ NOT NULL,
    fetched_at  TIMESTAMPTZ,
    origin      TEXT NOT NULL DEFAULT '',
    data        BYTEA NOT NULL
);
