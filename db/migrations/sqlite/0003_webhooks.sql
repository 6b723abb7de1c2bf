-- Webhook endpoints and the delivery log (issue #8). Events stay in the events table of 0001.
CREATE TABLE webhook_endpoints (
    id                         TEXT PRIMARY KEY,
    account_id                 TEXT NOT NULL REFERENCES accounts (id),
    mode                       TEXT NOT NULL CHECK (mode IN ('live', 'test')),
    kind                       TEXT NOT NULL CHECK (kind IN ('endpoint', 'callback')),
    url                        TEXT NOT NULL DEFAULT '',
    description                TEXT NOT NULL DEFAULT '',
    events                     TEXT NOT NULL DEFAULT '[]',
    status                     TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
    disabled_reason            TEXT NOT NULL DEFAULT '',
    disabled_at                TIMESTAMP,
    consecutive_failures       INTEGER NOT NULL DEFAULT 0,
    secret_sealed              BLOB NOT NULL,
    previous_secret_sealed     BLOB,
    previous_secret_expires_at TIMESTAMP,
    created_at                 TIMESTAMP NOT NULL,
    updated_at                 TIMESTAMP NOT NULL
);
CREATE INDEX webhook_endpoints_list ON webhook_endpoints (account_id, mode, id);
-- One callback signer per account and mode; concurrent first uses converge on it.
CREATE UNIQUE INDEX webhook_endpoints_callback ON webhook_endpoints (account_id, mode) WHERE kind = 'callback';

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL,
    mode             TEXT NOT NULL,
    endpoint_id      TEXT NOT NULL,
    url              TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_latency_ms  BIGINT,
    last_response    TEXT NOT NULL DEFAULT '',
    last_error       TEXT NOT NULL DEFAULT '',
    last_attempt_at  TIMESTAMP,
    next_attempt_at  TIMESTAMP,
    delivered_at     TIMESTAMP,
    replay_of        TEXT,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (account_id, mode, id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
CREATE INDEX events_type ON events (account_id, mode, type, id);
