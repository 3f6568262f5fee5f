package dev.lockwise.bootstrap.config;

import dev.lockwise.application.RetryPolicy;
import dev.lockwise.application.Strategy;
import dev.lockwise.domain.InvalidInputException;
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
 * Lockwise's configuration, resolved from four sources, highest first: command-line flags, environment variables
 * ({@code LOCKWISE_…}), a properties file given with {@code --config FILE}, built-in defaults. Every value is
 * validated here, once, with a message that names the setting, the source, the bad value and what is valid.
 * The password is never part of any message or {@link #toString()}.
 */
public final class Settings {
    private final Map<Setting, String> raw;
    private final Map<Setting, String> sources;

    private final Strategy strategy;
    private final Optional<String> dbUrl;
    private final int poolSize;
    private final RetryPolicy retryPolicy;
    private final Duration lockTimeout;
    private final LeaseTable leaseTable;
    private final Duration adaptiveCooldown;
    private final boolean migrate;
    private final int demoWorkers;
    private final int demoDeposits;
    private final int demoAccounts;
    private final int demoCallers;

    private Settings(Map<Setting, String> raw, Map<Setting, String> sources) {
        this.raw = raw;
        this.sources = sources;
        this.strategy = parse(Setting.STRATEGY, Strategy::parse, false);
        this.dbUrl = Optional.ofNullable(raw.get(Setting.DB_URL)).filter(url -> !url.isBlank()).map(this::checkUrl);
        this.poolSize = integer(Setting.POOL_SIZE, 1, 500);
        int attempts = integer(Setting.RETRY_ATTEMPTS, 1, 1000);
        Duration backoff = duration(Setting.RETRY_BACKOFF);
        Duration maxBackoff = duration(Setting.RETRY_MAX_BACKOFF);
        this.retryPolicy = parse(Setting.RETRY_MAX_BACKOFF, ignored -> new RetryPolicy(attempts, backoff,
                RetryPolicy.DEFAULT.multiplier(), maxBackoff, RetryPolicy.DEFAULT.jitter()), true);
        this.lockTimeout = duration(Setting.LOCK_TIMEOUT);
        if (lockTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw invalid(Setting.LOCK_TIMEOUT, "at most 10m");
        }
        String schema = parse(Setting.LEASE_SCHEMA, value -> new LeaseTable(value, LeaseTable.DEFAULT_TABLE).schema(),
                true);
        this.leaseTable = parse(Setting.LEASE_TABLE, value -> new LeaseTable(schema, value), true);
        this.adaptiveCooldown = duration(Setting.ADAPTIVE_COOLDOWN);
        if (adaptiveCooldown.isZero() || adaptiveCooldown.compareTo(Duration.ofHours(1)) > 0) {
            throw invalid(Setting.ADAPTIVE_COOLDOWN, "1ms to 1h");
        }
        this.migrate = bool(Setting.MIGRATE);
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
            } else if (setting.defaultValue() != null) {
                raw.put(setting, setting.defaultValue());
                sources.put(setting, "default");
            }
        }
        return new Settings(raw, sources);
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

    private boolean bool(Setting setting) {
        String value = nonNull(setting).toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw invalid(setting, "true or false");
        };
    }

    private Duration duration(Setting setting) {
        try {
            return Durations.parse(nonNull(setting));
        } catch (IllegalArgumentException e) {
            throw invalid(setting, "a duration such as 500ms, 5s, 2m or 1h");
        }
    }

    private String checkUrl(String url) {
        String trimmed = url.trim();
        if (!trimmed.startsWith("jdbc:postgresql://") || trimmed.length() <= "jdbc:postgresql://".length()) {
            throw new ConfigException("invalid value for setting db.url (from " + sources.get(Setting.DB_URL)
                    + "): valid: a URL of the form jdbc:postgresql://HOST[:PORT]/DATABASE");
        }
        return trimmed;
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

    public boolean migrate() {
        return migrate;
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
            text.append(setting.key()).append('=')
                    .append(setting.secret() && value != null && !value.isEmpty() ? "****" : value).append(", ");
        }
        return text.append('}').toString();
    }
}
