package dev.lockwise.cli.config;

import java.util.Locale;

/**
 * Every setting Lockwise reads, with its key (in a {@code --config} properties file), the flag a user types for it,
 * its environment variable and its built-in default.
 */
public enum Setting {
    STRATEGY("strategy", "--strategy", "optimistic", "optimistic, pessimistic, adaptive or batched"),
    DB_URL("db.url", "--db-url", null, "a jdbc:postgresql:// or postgres:// URL; unset = start an embedded PostgreSQL"),
    DB_USER("db.user", "--db-user", "postgres", "the database user"),
    DB_PASSWORD("db.password", "--db-password", "", "the database password (prefer the environment variable)"),
    POOL_SIZE("db.pool-size", "--pool-size", "20",
            "the most connections a command may open, 1 to 500 (each opens what it needs, up to this)"),
    RETRY_ATTEMPTS("retry.attempts", "--retry-attempts", "60", "attempts per operation, 1 to 1000"),
    RETRY_BACKOFF("retry.backoff", "--retry-backoff", "2ms", "first wait between attempts, e.g. 2ms"),
    RETRY_MAX_BACKOFF("retry.max-backoff", "--retry-max-backoff", "200ms", "longest wait between attempts, e.g. 200ms"),
    LOCK_TIMEOUT("lock-timeout", "--lock-timeout", "5s",
            "how long any statement waits for a row lock, every strategy, 1ms to 10m"),
    LEASE_SCHEMA("lease.schema", "--lease-schema", "public", "schema of the lease table (an SQL identifier)"),
    LEASE_TABLE("lease.table", "--lease-table", "lockwise_lease", "name of the lease table (an SQL identifier)"),
    ADAPTIVE_COOLDOWN("adaptive.cooldown", "--adaptive-cooldown", "20ms",
            "how long a row stays hot after its last sign of contention (adaptive), 1ms to 1h"),
    MIGRATE("migrate", "--migrate", "check",
            "check (the schema must be up to date; `lockwise migrate` applies it), true (apply at start) or false"
                    + " (custom migrations: only check the lease table)"),
    OUTPUT("output", "--output", "text", "text or json"),
    DEMO_WORKERS("demo.workers", "demo --workers", "10", "verfact workers in the demo, 1 to 1000"),
    DEMO_DEPOSITS("demo.deposits", "demo --deposits", "1000", "deposits in the demo, 1 to 10000000"),
    DEMO_ACCOUNTS("demo.accounts", "demo --accounts", "100", "accounts in the demo, 1 to 1000000"),
    DEMO_CALLERS("demo.callers", "demo --callers", "100", "concurrent callers in the demo, 1 to 1000");

    private final String key;
    private final String flag;
    private final String defaultValue;
    private final String help;

    Setting(String key, String flag, String defaultValue, String help) {
        this.key = key;
        this.flag = flag;
        this.defaultValue = defaultValue;
        this.help = help;
    }

    public String key() {
        return key;
    }

    /** {@code LOCKWISE_DB_URL} for {@code db.url}. */
    public String environmentVariable() {
        return "LOCKWISE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The flag as a user types it: {@code --pool-size} for {@code db.pool-size}, {@code demo --workers}. */
    public String flag() {
        return flag;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String help() {
        return help;
    }

    public boolean secret() {
        return this == DB_PASSWORD;
    }
}
