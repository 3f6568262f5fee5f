package dev.lockwise.bootstrap.cli;

import dev.lockwise.bootstrap.config.Setting;
import dev.lockwise.bootstrap.config.Settings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Options every command takes. A flag wins over the environment ({@code LOCKWISE_…}), which wins over the
 * {@code --config} file, which wins over the defaults. No default values here: an absent flag is "not given".
 */
public final class GlobalOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with settings (see README).")
    Path config;

    @Option(names = "--strategy", paramLabel = "NAME",
            description = "optimistic, pessimistic or adaptive (env LOCKWISE_STRATEGY; default optimistic).")
    String strategy;

    @Option(names = "--db-url", paramLabel = "URL",
            description = "jdbc:postgresql://HOST[:PORT]/DB (env LOCKWISE_DB_URL). Unset: an embedded PostgreSQL.")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user (env LOCKWISE_DB_USER).")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "PASSWORD", interactive = true, arity = "0..1",
            description = "Prompt for the database password. Prefer env LOCKWISE_DB_PASSWORD.")
    char[] dbPassword;

    @Option(names = "--pool-size", paramLabel = "N", description = "Connection pool size (default 20).")
    String poolSize;

    @Option(names = "--retry-attempts", paramLabel = "N", description = "Attempts per operation (default 60).")
    String retryAttempts;

    @Option(names = "--retry-backoff", paramLabel = "DURATION", description = "First wait between attempts (default 2ms).")
    String retryBackoff;

    @Option(names = "--retry-max-backoff", paramLabel = "DURATION", description = "Longest wait between attempts (default 200ms).")
    String retryMaxBackoff;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", description = "Row-lock wait, pessimistic (default 5s).")
    String lockTimeout;

    @Option(names = "--lease-schema", paramLabel = "SCHEMA", description = "Schema of the lease table (default public).")
    String leaseSchema;

    @Option(names = "--lease-table", paramLabel = "TABLE", description = "Name of the lease table (default lockwise_lease).")
    String leaseTable;

    @Option(names = "--adaptive-cooldown", paramLabel = "DURATION",
            description = "How long a row stays hot after its last sign of contention, adaptive strategy"
                    + " (default 20ms).")
    String adaptiveCooldown;

    @Option(names = "--migrate", paramLabel = "true|false",
            description = "Apply migrations at start (default true); false = custom migrations, only check.")
    String migrate;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces and debug logs.")
    boolean verbose;

    Map<Setting, String> flags() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        put(flags, Setting.STRATEGY, strategy);
        put(flags, Setting.DB_URL, dbUrl);
        put(flags, Setting.DB_USER, dbUser);
        put(flags, Setting.DB_PASSWORD, dbPassword == null ? null : new String(dbPassword));
        put(flags, Setting.POOL_SIZE, poolSize);
        put(flags, Setting.RETRY_ATTEMPTS, retryAttempts);
        put(flags, Setting.RETRY_BACKOFF, retryBackoff);
        put(flags, Setting.RETRY_MAX_BACKOFF, retryMaxBackoff);
        put(flags, Setting.LOCK_TIMEOUT, lockTimeout);
        put(flags, Setting.LEASE_SCHEMA, leaseSchema);
        put(flags, Setting.LEASE_TABLE, leaseTable);
        put(flags, Setting.ADAPTIVE_COOLDOWN, adaptiveCooldown);
        put(flags, Setting.MIGRATE, migrate);
        return flags;
    }

    private static void put(Map<Setting, String> flags, Setting setting, String value) {
        if (value != null) {
            flags.put(setting, value);
        }
    }

    Settings settings(Map<String, String> environment) {
        return Settings.load(flags(), environment, Optional.ofNullable(config));
    }

    /**
     * These options with any given before the subcommand ({@code lockwise --strategy pessimistic deposit …}) filled
     * in where this command's own are absent.
     */
    GlobalOptions over(GlobalOptions parent) {
        if (parent == null || parent == this) {
            return this;
        }
        GlobalOptions merged = new GlobalOptions();
        merged.config = config != null ? config : parent.config;
        merged.strategy = strategy != null ? strategy : parent.strategy;
        merged.dbUrl = dbUrl != null ? dbUrl : parent.dbUrl;
        merged.dbUser = dbUser != null ? dbUser : parent.dbUser;
        merged.dbPassword = dbPassword != null ? dbPassword : parent.dbPassword;
        merged.poolSize = poolSize != null ? poolSize : parent.poolSize;
        merged.retryAttempts = retryAttempts != null ? retryAttempts : parent.retryAttempts;
        merged.retryBackoff = retryBackoff != null ? retryBackoff : parent.retryBackoff;
        merged.retryMaxBackoff = retryMaxBackoff != null ? retryMaxBackoff : parent.retryMaxBackoff;
        merged.lockTimeout = lockTimeout != null ? lockTimeout : parent.lockTimeout;
        merged.leaseSchema = leaseSchema != null ? leaseSchema : parent.leaseSchema;
        merged.leaseTable = leaseTable != null ? leaseTable : parent.leaseTable;
        merged.adaptiveCooldown = adaptiveCooldown != null ? adaptiveCooldown : parent.adaptiveCooldown;
        merged.migrate = migrate != null ? migrate : parent.migrate;
        merged.verbose = verbose || parent.verbose;
        return merged;
    }
}
