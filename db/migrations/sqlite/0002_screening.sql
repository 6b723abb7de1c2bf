-- The loaded sanctions / PEP lists: one current version per source, shared by every process.
CREATE TABLE screening_lists (
    source      TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL,
    entities    INTEGER NOT NULL,
    loaded_at   TIMESTAMP NOT NULL,
    fetched_at  TIMESTAMP,
    origin      TEXT NOT NULL DEFAULT '',
    data        BLOB NOT NULL
);
