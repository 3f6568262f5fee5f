package dev.lockwise.cli.config;

import dev.lockwise.application.retry.RetryPolicy;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.lease.LeaseTable;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Lockwise's configuration, resolved from five sources, highest first: command-line flags, environment variables
 * ({@code LOCKWISE_…}), a properties file given with {@code --config FILE}, libpq's environment variables
 * ({@code PGHOST}, {@code PGPORT}, {@code PGDATABASE}, {@code PGUSER}, {@code PGPASSWORD}, read the way {@code psql}
 * reads them), built-in defaults. Every value is validated here, once, with a message that names the setting, the
 * flag or variable it came from, the bad value and what is valid. The password is never part of any message or
 * {@link #toString()}, nor is a URL (it may carry one).
 */
public final class Settings {
    /** How the schema is treated when a command starts against a server the user named. */
    public enum Migrations {
        /** The schema must be up to date; only {@code lockwise migrate} applies it. */
        CHECK,
        /** Apply at start (an explicit choice). */
        APPLY,
        /** Custom migrations: Lockwise applies nothing and only checks the lease table. */
        CUSTOM
    }

    public enum Output {
        TEXT, JSON
    }

    private final Map<Setting, String> raw;
    private final Map<Setting, String> sources;

    private final Strategy strategy;
    private final Optional<String> dbUrl;
    private final int poolSize;
    private final RetryPolicy retryPolicy;
    private final Duration lockTimeout;
    private final LeaseTable leaseTable;
    private final Duration adaptiveCooldown;
    private final Migrations migrations;
    private final Output output;
    private final int demoWorkers;
    private final int demoDeposits;
    private final int demoAccounts;
    private final int demoCallers;

    private Settings(Map<Setting, String> raw, Map<Setting, String> sources) {
        this.raw = raw;
        this.sources = sources;
        this.strategy = parse(Setting.STRATEGY, Strategy::parse, false);
        this.dbUrl = Optional.ofNullable(raw.get(Setting.DB_URL)).map(this::checkUrl);
        this.poolSize = integer(Setting.POOL_SIZE, 1, 500);
        int attempts = integer(Setting.RETRY_ATTEMPTS, 1, 1000);
        Duration backoff = duration(Setting.RETRY_BACKOFF);
        Duration maxBackoff = duration(Setting.RETRY_MAX_BACKOFF);
        this.retryPolicy = parse(Setting.RETRY_MAX_BACKOFF, ignored -> new RetryPolicy(attempts, backoff,
                RetryPolicy.DEFAULT.multiplier(), maxBackoff, RetryPolicy.DEFAULT.jitter()), true);
        this.lockTimeout = duration(Setting.LOCK_TIMEOUT);
        if (lockTimeout.isZero() || lockTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw invalid(Setting.LOCK_TIMEOUT, "1ms to 10m (every wait is bounded; there is no 'forever')");
        }
        String schema = parse(Setting.LEASE_SCHEMA, value -> new LeaseTable(value, LeaseTable.DEFAULT_TABLE).schema(),
                true);
        this.leaseTable = parse(Setting.LEASE_TABLE, value -> new LeaseTable(schema, value), true);
        this.adaptiveCooldown = duration(Setting.ADAPTIVE_COOLDOWN);
        if (adaptiveCooldown.isZero() || adaptiveCooldown.compareTo(Duration.ofHours(1)) > 0) {
            throw invalid(Setting.ADAPTIVE_COOLDOWN, "1ms to 1h");
        }
        this.migrations = switch (nonNull(Setting.MIGRATE).toLowerCase(Locale.ROOT)) {
            case "check" -> Migrations.CHECK;
            case "true", "yes", "on", "apply" -> Migrations.APPLY;
            case "false", "no", "off", "custom" -> Migrations.CUSTOM;
            default -> throw invalid(Setting.MIGRATE, "check, true or false");
        };
        this.output = switch (nonNull(Setting.OUTPUT).toLowerCase(Locale.ROOT)) {
            case "text" -> Output.TEXT;
            case "json" -> Output.JSON;
            default -> throw invalid(Setting.OUTPUT, Setting.OUTPUT.help());
        };
        this.demoWorkers = integer(Setting.DEMO_WORKERS, 1, 1000);
        this.demoDeposits = integer(Setting.DEMO_DEPOSITS, 1, 10_000_000);
        this.demoAccounts = integer(Setting.DEMO_ACCOUNTS, 1, 1_000_000);
        this.demoCallers = integer(Setting.DEMO_CALLERS, 1, 1000);
    }

    /**
     * @param flags       values given on the command line (only those given)
     * @param environment the process environment
     * @param configFile  the {@code --config} file, if any
     */
    public static Settings load(Map<Setting, String> flags, Map<String, String> environment, Optional<Path> configFile) {
        Properties file = new Properties();
        if (configFile.isPresent()) {
            Path path = configFile.get();
            if (!Files.isRegularFile(path)) {
                throw new ConfigException("config file " + path + " does not exist or is not a file");
            }
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("config file " + path + " could not be read: " + e.getMessage());
            }
            for (String key : file.stringPropertyNames()) {
                if (java.util.Arrays.stream(Setting.values()).noneMatch(s -> s.key().equals(key))) {
                    throw new ConfigException("config file " + path + " has unknown setting '" + key + "'; known: "
                            + String.join(", ", java.util.Arrays.stream(Setting.values()).map(Setting::key).toList()));
                }
            }
        }
        Map<Setting, String> raw = new EnumMap<>(Setting.class);
        Map<Setting, String> sources = new EnumMap<>(Setting.class);
        Map<Setting, Map.Entry<String, String>> libpq = Libpq.settings(environment);
        for (Setting setting : Setting.values()) {
            if (flags.get(setting) != null) {
                raw.put(setting, flags.get(setting));
                sources.put(setting, "flag " + setting.flag());
            } else if (environment.get(setting.environmentVariable()) != null) {
                raw.put(setting, environment.get(setting.environmentVariable()));
                sources.put(setting, "environment " + setting.environmentVariable());
            } else if (file.getProperty(setting.key()) != null) {
                raw.put(setting, file.getProperty(setting.key()));
                sources.put(setting, "config file " + configFile.orElseThrow() + " (" + setting.key() + ")");
            } else if (libpq.containsKey(setting)) {
                raw.put(setting, libpq.get(setting).getValue());
                sources.put(setting, "environment " + libpq.get(setting).getKey());
            } else if (setting.defaultValue() != null) {
                raw.put(setting, setting.defaultValue());
                sources.put(setting, "default");
            }
        }
        Optional<PostgresUrl.Credentials> inUrl;
        try {
            inUrl = PostgresUrl.credentials(raw.get(Setting.DB_URL));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value for setting db.url (from " + sources.get(Setting.DB_URL) + "): "
                    + e.getMessage() + "; valid: jdbc:postgresql://HOST[:PORT]/DATABASE or"
                    + " postgres://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE");
        }
        inUrl.ifPresent(credentials -> {
            if (credentials.password() != null && sources.get(Setting.DB_URL).startsWith("flag")) {
                throw new ConfigException("--db-url carries a password, which every user can read with ps: put the"
                        + " URL in LOCKWISE_DB_URL or a --config file, or give the password by environment or prompt");
            }
            // postgres://USER:PASSWORD@HOST/DB: the URL's own credentials, unless given from a source above the URL's.
            int url = rank(sources.get(Setting.DB_URL));
            if (credentials.user() != null && rank(sources.get(Setting.DB_USER)) < url) {
                raw.put(Setting.DB_USER, credentials.user());
                sources.put(Setting.DB_USER, sources.get(Setting.DB_URL) + " (its user)");
            }
            if (credentials.password() != null && rank(sources.get(Setting.DB_PASSWORD)) < url) {
                raw.put(Setting.DB_PASSWORD, credentials.password());
                sources.put(Setting.DB_PASSWORD, sources.get(Setting.DB_URL) + " (its password)");
            }
        });
        String url = raw.get(Setting.DB_URL);
        if (url != null && url.toLowerCase(Locale.ROOT).contains("password=")
                && sources.get(Setting.DB_URL).startsWith("flag")) {
            throw new ConfigException("--db-url carries a password, which every user can read with ps: put the URL in"
                    + " LOCKWISE_DB_URL or a --config file, or give the password by environment or prompt");
        }
        return new Settings(raw, sources);
    }

    /** The precedence of a source: flag 4, LOCKWISE_* variable 3, config file 2, libpq variable 1, default 0. */
    private static int rank(String source) {
        if (source == null || source.equals("default")) {
            return 0;
        }
        if (source.startsWith("flag")) {
            return 4;
        }
        if (source.startsWith("environment LOCKWISE_")) {
            return 3;
        }
        return source.startsWith("config file") ? 2 : 1;
    }

    /** Defaults and the environment only. */
    public static Settings fromEnvironment() {
        return load(Map.of(), System.getenv(), Optional.empty());
    }

    // ---- parsing ----------------------------------------------------------------------------------------------

    private ConfigException invalid(Setting setting, String valid) {
        String shown = setting.secret() ? "(hidden)" : "'" + raw.get(setting) + "'";
        return new ConfigException("invalid value " + shown + " for setting " + setting.key() + " (from "
                + sources.get(setting) + "): valid: " + valid);
    }

    private String nonNull(Setting setting) {
        String value = raw.get(setting);
        if (value == null) {
            throw invalid(setting, setting.help());
        }
        return value.trim();
    }

    private <T> T parse(Setting setting, Function<String, T> parser, boolean withDetail) {
        try {
            return parser.apply(nonNull(setting));
        } catch (InvalidInputException | IllegalArgumentException e) {
            if (e instanceof ConfigException config) {
                throw config;
            }
            throw invalid(setting, setting.help() + (withDetail ? " (" + e.getMessage() + ")" : ""));
        }
    }

    private int integer(Setting setting, int min, int max) {
        String value = nonNull(setting);
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw invalid(setting, "a whole number from " + min + " to " + max);
    }

    private Duration duration(Setting setting) {
        try {
            return Durations.parse(nonNull(setting));
        } catch (IllegalArgumentException e) {
            throw invalid(setting, "a duration such as 500ms, 5s, 2m or 1h");
        }
    }

    /** The URL as PgJDBC takes it; never echoed in a message (it may carry a password). */
    private String checkUrl(String url) {
        String trimmed = url.trim();
        if (trimmed.isEmpty()) {
            throw new ConfigException("setting db.url is empty (from " + sources.get(Setting.DB_URL) + "): give a"
                    + " jdbc:postgresql:// or postgres:// URL, or leave it unset for an embedded PostgreSQL");
        }
        try {
            return PostgresUrl.toJdbc(trimmed);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value for setting db.url (from " + sources.get(Setting.DB_URL)
                    + "): " + e.getMessage() + "; valid: jdbc:postgresql://HOST[:PORT]/DATABASE or"
                    + " postgres://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE");
        }
    }

    // ---- values -----------------------------------------------------------------------------------------------

    public Strategy strategy() {
        return strategy;
    }

    /** Empty when no URL is configured: then an embedded PostgreSQL is started. */
    public Optional<String> dbUrl() {
        return dbUrl;
    }

    public String dbUser() {
        return raw.getOrDefault(Setting.DB_USER, "postgres");
    }

    public String dbPassword() {
        return raw.getOrDefault(Setting.DB_PASSWORD, "");
    }

    public int poolSize() {
        return poolSize;
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    public Duration lockTimeout() {
        return lockTimeout;
    }

    public LeaseTable leaseTable() {
        return leaseTable;
    }

    public Duration adaptiveCooldown() {
        return adaptiveCooldown;
    }

    public Migrations migrations() {
        return migrations;
    }

    public Output output() {
        return output;
    }

    public int demoWorkers() {
        return demoWorkers;
    }

    public int demoDeposits() {
        return demoDeposits;
    }

    public int demoAccounts() {
        return demoAccounts;
    }

    public int demoCallers() {
        return demoCallers;
    }

    /**
     * These settings as {@code LOCKWISE_…} environment variables, for a child process that must run with exactly
     * them (the bench's worker JVMs). The password is among them: an environment is private to the process and its
     * user, a command line is not.
     */
    public Map<String, String> asEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        raw.forEach((setting, value) -> environment.put(setting.environmentVariable(), value));
        return environment;
    }

    /** Where a setting's value came from ("flag --db-url", "environment LOCKWISE_DB_URL", "default", …). */
    public String sourceOf(Setting setting) {
        return sources.getOrDefault(setting, "unset");
    }

    /**
     * A copy whose pool holds what a command needs: {@code needed} connections, or fewer if the user gave a smaller
     * {@code db.pool-size}, which is an upper bound (the default is not).
     */
    public Settings sizedFor(int needed) {
        int size = sources.get(Setting.POOL_SIZE).equals("default") ? needed : Math.min(needed, poolSize);
        Map<Setting, String> copy = new EnumMap<>(raw);
        copy.put(Setting.POOL_SIZE, Integer.toString(Math.max(1, Math.min(500, size))));
        return new Settings(copy, new EnumMap<>(sources));
    }

    /** A copy with a setting replaced (as if given as a flag). */
    public Settings with(Setting setting, String value) {
        Map<Setting, String> copy = new EnumMap<>(raw);
        Map<Setting, String> copySources = new EnumMap<>(sources);
        copy.put(setting, value);
        copySources.put(setting, "flag " + setting.flag());
        return new Settings(copy, copySources);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Settings{");
        for (Setting setting : Setting.values()) {
            String value = raw.get(setting);
            if (setting == Setting.DB_URL && value != null) {
                // The converted URL (credentials of a postgres:// URL taken out) with any password parameter masked.
                value = dbUrl.map(url -> url.replaceAll("(?i)(password=)[^&]*", "$1****")).orElse(value);
            }
            text.append(setting.key()).append('=')
                    .append(setting.secret() && value != null && !value.isEmpty() ? "****" : value).append(", ");
        }
        return text.append('}').toString();
    }
}
