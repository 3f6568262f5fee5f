-- A record of work done under a lease, written with fenced statements: a row exists, and its times were set by the
-- database, only while its holder really held the lease. Used by `lockwise workload lease` and the multi-process
-- tests to prove that holders never overlap.
CREATE TABLE exclusive_run (
    lock_id    VARCHAR(200) NOT NULL,
    generation BIGINT       NOT NULL,
    holder     VARCHAR(200) NOT NULL,
    started_at TIMESTAMPTZ  NOT NULL,
    ended_at   TIMESTAMPTZ,
    beats      INTEGER      NOT NULL DEFAULT 0,
    last_beat_at TIMESTAMPTZ,
    PRIMARY KEY (lock_id, generation)
);
