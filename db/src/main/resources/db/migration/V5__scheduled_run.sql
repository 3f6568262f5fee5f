-- One row per run of a job scheduled "once per slot" (`lockwise exclusive --once-per`, `runOncePer` in the library).
-- Slots are computed by the database from its own clock; every row is written by fenced statements, so only the
-- lease holder of the moment can start or end a run. A slot whose latest run succeeded (or, unless failed runs may
-- be retried, any run) is done: later callers in the same slot are told about that run instead of starting one.
CREATE TABLE scheduled_run (
    lock_id    VARCHAR(200) NOT NULL,
    slot_start TIMESTAMPTZ  NOT NULL,
    slot_end   TIMESTAMPTZ  NOT NULL,
    generation BIGINT       NOT NULL,
    holder     VARCHAR(200) NOT NULL,
    started_at TIMESTAMPTZ  NOT NULL,
    ended_at   TIMESTAMPTZ,
    outcome    VARCHAR(16)  NOT NULL,
    exit_code  INTEGER,
    PRIMARY KEY (lock_id, slot_start, generation),
    CHECK (slot_end > slot_start),
    CHECK (outcome IN ('running', 'succeeded', 'failed', 'abandoned')),
    CHECK ((outcome = 'running') = (ended_at IS NULL))
);
CREATE INDEX scheduled_run_latest ON scheduled_run (lock_id, started_at DESC);
