-- The lease table of the distributed lock. Its schema and name are configurable, so this script lives
-- apart from db/migration (jOOQ's code generator does not expand Flyway placeholders) and is applied with
-- its own history table (Flyway creates the schema if needed). ${lease_schema} and ${lease_table} are validated SQL identifiers, already quoted.
CREATE TABLE IF NOT EXISTS ${lease_schema}.${lease_table} (
    lock_id    TEXT        NOT NULL PRIMARY KEY,
    generation BIGINT      NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    CHECK (length(lock_id) > 0),
    CHECK (generation > 0)
);
