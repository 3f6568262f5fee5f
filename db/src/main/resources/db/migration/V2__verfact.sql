-- Facts that workers insert and then mark processed, exactly once each.
-- state: 'I' = inserted, 'P' = processed; `processed` mirrors it so queries stay readable.
CREATE TABLE verfact (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    state     CHAR(1) NOT NULL DEFAULT 'I',
    processed BOOLEAN NOT NULL DEFAULT FALSE,
    version   BIGINT  NOT NULL DEFAULT 1,
    CONSTRAINT verfact_state_known CHECK (state IN ('I', 'P')),
    CONSTRAINT verfact_state_matches_processed CHECK ((state = 'P') = processed),
    CONSTRAINT verfact_version_positive CHECK (version >= 1)
);

-- Partial index for "find pending facts"; hidden from jOOQ's DDL parser, which replays the scripts into H2.
/* [jooq ignore start] */
CREATE INDEX verfact_pending_idx ON verfact (id) WHERE NOT processed;
/* [jooq ignore stop] */
