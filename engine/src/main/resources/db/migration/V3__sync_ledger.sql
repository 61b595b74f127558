-- The sync ledger's latest entry per field, with whether its echo has come back; the version
-- (modification stamp) each known value came with; and fields held because they flip-flopped.

ALTER TABLE known_values ADD COLUMN source_version VARCHAR(200);

CREATE TABLE ledger (
    system_name VARCHAR(200) NOT NULL,
    entity      VARCHAR(200) NOT NULL,
    record_key  VARCHAR(500) NOT NULL,
    field       VARCHAR(200) NOT NULL,
    value_json  VARCHAR      NOT NULL,
    event_id    VARCHAR(64),
    written_at  BIGINT       NOT NULL,
    echoed_at   BIGINT,
    CONSTRAINT ledger_pk PRIMARY KEY (system_name, entity, record_key, field)
);

CREATE TABLE holds (
    entity      VARCHAR(200) NOT NULL,
    record_key  VARCHAR(500) NOT NULL,
    field       VARCHAR(200) NOT NULL,
    since       BIGINT       NOT NULL,
    reason      VARCHAR      NOT NULL,
    history     VARCHAR      NOT NULL,
    CONSTRAINT holds_pk PRIMARY KEY (entity, record_key, field)
);

CREATE INDEX writes_field ON writes (entity, record_key, field, written_at);
