package dev.lockwise.cli;

import dev.lockwise.cli.config.Setting;
import dev.lockwise.cli.config.Settings;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Stack;

/**
 * Options every command takes, shown in a section of their own in every command's help. A flag wins over the
 * environment ({@code LOCKWISE_…}), which wins over the {@code --config} file, then libpq's variables, then the
 * defaults. No default values here: an absent flag is "not given".
 */
public final class GlobalOptions {
    /** What picocli stores when {@code --db-password} is given bare: prompt for it. */
    static final String PROMPT = "\0prompt";

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with settings (see README).")
    Path config;

    @Option(names = "--strategy", paramLabel = "NAME",
            description = "optimistic, pessimistic, adaptive or batched (env LOCKWISE_STRATEGY; default optimistic).")
    String strategy;

    @Option(names = "--db-url", paramLabel = "URL",
            description = "jdbc:postgresql://HOST[:PORT]/DB or postgres://[USER@]HOST[:PORT]/DB (env"
                    + " LOCKWISE_DB_URL, or PGHOST/PGPORT/PGDATABASE). Unset: an embedded PostgreSQL whose data is"
                    + " discarded at exit.")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user (env LOCKWISE_DB_USER).")
    String dbUser;

    @Option(names = "--db-password", preprocessor = NoPasswordOnTheCommandLine.class,
            description = "Prompt for the database password (on the terminal, or read from stdin). A password on the"
                    + " command line is refused: anyone can read it with ps. Or set LOCKWISE_DB_PASSWORD or"
                    + " PGPASSWORD, or db.password in a --config file.")
    boolean promptForPassword;

    @Option(names = "--pool-size", paramLabel = "N", description = "Connection pool size (default 20).")
    String poolSize;

    @Option(names = "--retry-attempts", paramLabel = "N", description = "Attempts per operation (default 60).")
    String retryAttempts;

    @Option(names = "--retry-backoff", paramLabel = "DURATION", description = "First wait between attempts (default 2ms).")
    String retryBackoff;

    @Option(names = "--retry-max-backoff", paramLabel = "DURATION", description = "Longest wait between attempts (default 200ms).")
    String retryMaxBackoff;

    @Option(names = "--lock-timeout", paramLabel = "DURATION",
            description = "How long any statement waits for a row lock, every strategy (default 5s; 1ms to 10m).")
    String lockTimeout;

    @Option(names = "--lease-schema", paramLabel = "SCHEMA", description = "Schema of the lease table (default public).")
    String leaseSchema;

    @Option(names = "--lease-table", paramLabel = "TABLE", description = "Name of the lease table (default lockwise_lease).")
    String leaseTable;

    @Option(names = "--adaptive-cooldown", paramLabel = "DURATION",
            description = "How long a row stays hot after its last sign of contention, adaptive strategy"
                    + " (default 20ms).")
    String adaptiveCooldown;

    @Option(names = "--migrate", paramLabel = "check|true|false",
            description = "check (default): the schema must be up to date, `lockwise migrate` applies it; true: apply"
                    + " at start; false: custom migrations, only check the lease table.")
    String migrate;

    @Option(names = "--output", paramLabel = "text|json",
            description = "text (default) or json: one JSON object per result on stdout, errors as JSON on stderr"
                    + " (env LOCKWISE_OUTPUT).")
    String output;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces and debug logs.")
    boolean verbose;

    Map<Setting, String> flags() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        put(flags, Setting.STRATEGY, strategy);
        put(flags, Setting.DB_URL, dbUrl);
        put(flags, Setting.DB_USER, dbUser);
        put(flags, Setting.DB_PASSWORD, password());
        put(flags, Setting.POOL_SIZE, poolSize);
        put(flags, Setting.RETRY_ATTEMPTS, retryAttempts);
        put(flags, Setting.RETRY_BACKOFF, retryBackoff);
        put(flags, Setting.RETRY_MAX_BACKOFF, retryMaxBackoff);
        put(flags, Setting.LOCK_TIMEOUT, lockTimeout);
        put(flags, Setting.LEASE_SCHEMA, leaseSchema);
        put(flags, Setting.LEASE_TABLE, leaseTable);
        put(flags, Setting.ADAPTIVE_COOLDOWN, adaptiveCooldown);
        put(flags, Setting.MIGRATE, migrate);
        put(flags, Setting.OUTPUT, output);
        return flags;
    }

    /** The prompted password, or null. */
    private String password() {
        return promptForPassword ? PasswordPrompt.read("Database password: ") : null;
    }

    /**
     * Refuses {@code --db-password=VALUE} and {@code --db-password VALUE} before anything runs, without repeating
     * the value: a password on a command line is visible to every user of the machine through {@code ps}.
     */
    public static final class NoPasswordOnTheCommandLine implements CommandLine.IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec,
                                  Map<String, Object> info) {
            // picocli reports the separator used: "=" when a value was attached, blank otherwise.
            boolean attached = info.get("separator") instanceof String separator && !separator.isBlank();
            boolean following = !args.isEmpty() && !args.peek().startsWith("-")
                    && !commandSpec.subcommands().containsKey(args.peek());
            if (attached || following) {
                args.pop(); // never echoed
                throw new CommandLine.ParameterException(commandSpec.commandLine(), "--db-password takes no value:"
                        + " a password on the command line is visible to every user through ps; give --db-password"
                        + " alone to be prompted, or set LOCKWISE_DB_PASSWORD or PGPASSWORD, or db.password in a"
                        + " --config file");
            }
            return false;
        }
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
        merged.promptForPassword = promptForPassword || parent.promptForPassword;
        merged.poolSize = poolSize != null ? poolSize : parent.poolSize;
        merged.retryAttempts = retryAttempts != null ? retryAttempts : parent.retryAttempts;
        merged.retryBackoff = retryBackoff != null ? retryBackoff : parent.retryBackoff;
        merged.retryMaxBackoff = retryMaxBackoff != null ? retryMaxBackoff : parent.retryMaxBackoff;
        merged.lockTimeout = lockTimeout != null ? lockTimeout : parent.lockTimeout;
        merged.leaseSchema = leaseSchema != null ? leaseSchema : parent.leaseSchema;
        merged.leaseTable = leaseTable != null ? leaseTable : parent.leaseTable;
        merged.adaptiveCooldown = adaptiveCooldown != null ? adaptiveCooldown : parent.adaptiveCooldown;
        merged.migrate = migrate != null ? migrate : parent.migrate;
        merged.output = output != null ? output : parent.output;
        merged.verbose = verbose || parent.verbose;
        return merged;
    }
}
