-- Questionnaires (#22): versioned definitions per account and mode (an update adds a version;
-- versions share id and name), and the one attached to a verification with its answer rules
-- and the answers, sealed with the verification's data key; files given as answers are kept
-- as evidence beside them, sealed with the same key.
CREATE TABLE questionnaires (
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    account_id  TEXT NOT NULL,
    mode        TEXT NOT NULL,
    name        TEXT NOT NULL,
    definition  TEXT NOT NULL,
    api_key_id  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE UNIQUE INDEX questionnaires_name ON questionnaires (account_id, mode, name, version);

CREATE TABLE verification_questionnaires (
    verification_id  TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL,
    mode             TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    version          INTEGER NOT NULL,
    answer_rules     TEXT NOT NULL DEFAULT '[]',
    answers_sealed   BYTEA,
    submitted_at     TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE questionnaire_files (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    mode            TEXT NOT NULL,
    verification_id TEXT NOT NULL,
    question_id     TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    data_sealed     BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX questionnaire_files_verification ON questionnaire_files (verification_id);
