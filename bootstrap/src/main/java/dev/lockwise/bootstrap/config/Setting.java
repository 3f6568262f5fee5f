package dev.lockwise.bootstrap.config;

import java.util.Locale;

/**
 * Every setting Lockwise reads, with its key (in a {@code --config} properties file), its environment variable and
 * its built-in default. Flags on the command line use the same names as the keys ({@code --db-url} for
 * {@code db.url}).
 */
public enum Setting {
    STRATEGY("strategy", "optimistic", "optimistic, pessimistic or adaptive"),
    DB_URL("db.url", null, "a jdbc:postgresql:// URL; unset = start an embedded PostgreSQL"),
    DB_USER("db.user", "postgres", "the database user"),
    DB_PASSWORD("db.password", "", "the database password (prefer the environment variable)"),
    POOL_SIZE("db.pool-size", "20", "connections in the pool, 1 to 500"),
    RETRY_ATTEMPTS("retry.attempts", "60", "attempts per operation, 1 to 1000"),
    RETRY_BACKOFF("retry.backoff", "2ms", "first wait between attempts, e.g. 2ms"),
    RETRY_MAX_BACKOFF("retry.max-backoff", "200ms", "longest wait between attempts, e.g. 200ms"),
    LOCK_TIMEOUT("lock-timeout", "5s", "how long a row lock is awaited (pessimistic), 0 to 10m"),
    LEASE_SCHEMA("lease.schema", "public", "schema of the lease table (an SQL identifier)"),
    LEASE_TABLE("lease.table", "lockwise_lease", "name of the lease table (an SQL identifier)"),
    ADAPTIVE_COOLDOWN("adaptive.cooldown", "20ms",
            "how long a row stays hot after its last sign of contention (adaptive), 1ms to 1h"),
    MIGRATE("migrate", "true", "true = apply migrations at start; false = custom migrations (only check)"),
    DEMO_WORKERS("demo.workers", "10", "verfact workers in the demo, 1 to 1000"),
    DEMO_DEPOSITS("demo.deposits", "1000", "deposits in the demo, 1 to 10000000"),
    DEMO_ACCOUNTS("demo.accounts", "100", "accounts in the demo, 1 to 1000000"),
    DEMO_CALLERS("demo.callers", "100", "concurrent callers in the demo, 1 to 1000");

    private final String key;
    private final String defaultValue;
    private final String help;

    Setting(String key, String defaultValue, String help) {
        this.key = key;
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

    /** {@code --db-url} for {@code db.url}. */
    public String flag() {
        return "--" + key.replace('.', '-');
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
