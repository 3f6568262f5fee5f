package dev.lockwise.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.lockwise.domain.LockwiseException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/** {@code lockwise}: the command line. With no command it prints its usage and exits 2. */
@Command(name = "lockwise", mixinStandardHelpOptions = true, versionProvider = LockwiseCommand.Version.class,
        description = "Safe, measurable concurrent writes to PostgreSQL: optimistic, pessimistic and adaptive"
                + " deposits, exactly-once processing, and a lease lock to run a job on one machine at a time.",
        subcommands = {DemoCommand.class, MigrateCommand.class, AccountCommand.class, DepositCommand.class,
                VerFactCommand.class, ExclusiveCommand.class, RunsCommand.class, ServeCommand.class,
                BenchCommand.class, WorkloadCommand.class, BenchWorkerCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:refused (not found, lock unavailable, retries exhausted, ...)",
                "2:invalid input, usage or configuration (also: the schema needs `lockwise migrate`)",
                "3:database unavailable",
                "75:exclusive: lock unavailable", "76:exclusive: lease lost (command terminated)",
                "79:exclusive --once-per: the slot already had its run (the command was not run)",
                "125:exclusive: its supervisor refused to start the command",
                "126/127:exclusive: the command cannot be run / found", "143:exclusive: stopped by SIGTERM or SIGINT"},
        footer = {"", "Settings come from flags, then LOCKWISE_* environment variables, then --config FILE, then"
                + " PGHOST/PGPORT/PGDATABASE/PGUSER/PGPASSWORD, then defaults. See README.md."})
public final class LockwiseCommand implements Callable<Integer> {
    @ArgGroup(validate = false, heading = "%nGlobal options (every command; see README for the environment):%n",
            order = 1000)
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    final Map<String, String> environment;
    /** Whether errors go to stderr as JSON: asked for on the command line, or resolved from the settings. */
    private volatile Boolean jsonErrors;

    public LockwiseCommand() {
        this(System.getenv());
    }

    /** @param environment the environment to read LOCKWISE_* settings from (tests pass their own) */
    public LockwiseCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("lockwise: a command is required; for example `lockwise demo` (an embedded PostgreSQL) or"
                + " `lockwise deposit --help`");
        err.println();
        spec.commandLine().usage(err);
        err.flush();
        return ExitCodes.INVALID;
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** {@code --output} as given on the command line, before any settings are resolved (for early errors). */
    void jsonRequested(String output) {
        if (output != null && jsonErrors == null) {
            jsonErrors = output.trim().toLowerCase(Locale.ROOT).equals("json");
        }
    }

    /** The output setting as resolved from every source. */
    void jsonErrors(boolean json) {
        jsonErrors = json;
    }

    private boolean jsonErrors() {
        if (jsonErrors != null) {
            return jsonErrors;
        }
        String fromEnvironment = environment.get("LOCKWISE_OUTPUT");
        return fromEnvironment != null && fromEnvironment.trim().equalsIgnoreCase("json");
    }

    /** The configured picocli command line: exit codes and one-line error messages for every failure. */
    public static CommandLine commandLine(Map<String, String> environment) {
        LockwiseCommand root = new LockwiseCommand(environment);
        CommandLine commandLine = new CommandLine(root);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        // "Usage: lockwise deposit [OPTIONS] (--username=NAME | --account-id=ID)": the options are listed below it.
        abbreviateSynopses(commandLine);
        commandLine.setParameterExceptionHandler((failure, args) -> {
            CommandLine cmd = failure.getCommandLine();
            root.jsonRequested(outputIn(args));
            String path = String.join(" ", cmd.getCommandSpec().qualifiedName().split(" "));
            String message = failure.getMessage().replace("\n", " ").trim();
            if (failure instanceof CommandLine.UnmatchedArgumentException unmatched
                    && !unmatched.getSuggestions().isEmpty()) {
                message += "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?";
            }
            printError(cmd.getErr(), root.jsonErrors(), message + " (see `" + path + " --help`)", ExitCodes.INVALID);
            return ExitCodes.INVALID;
        });
        commandLine.setExecutionExceptionHandler((failure, cmd, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose") || parseResult.subcommands().stream()
                    .anyMatch(sub -> sub.hasMatchedOption("--verbose"));
            PrintWriter err = cmd.getErr();
            String message = failure instanceof LockwiseException || failure instanceof IllegalArgumentException
                    ? failure.getMessage() : "unexpected error: " + failure;
            int code = ExitCodes.of(failure);
            printError(err, root.jsonErrors(), message, code);
            if (verbose) {
                failure.printStackTrace(err);
            } else if (!(failure instanceof LockwiseException) && !root.jsonErrors()) {
                err.println("lockwise: run again with --verbose for details");
            }
            err.flush();
            return code;
        });
        return commandLine;
    }

    private static void abbreviateSynopses(CommandLine commandLine) {
        commandLine.getCommandSpec().usageMessage().abbreviateSynopsis(true);
        commandLine.getSubcommands().values().forEach(LockwiseCommand::abbreviateSynopses);
    }

    static void printError(PrintWriter err, boolean json, String message, int exitCode) {
        err.println(json ? Report.error(message, exitCode) : "lockwise: " + message);
        err.flush();
    }

    /** {@code --output X} or {@code --output=X} among raw arguments that did not parse. */
    private static String outputIn(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                return null;
            }
            if (args[i].startsWith("--output=")) {
                return args[i].substring("--output=".length());
            }
            if (args[i].equals("--output") && i + 1 < args.length) {
                return args[i + 1];
            }
        }
        return null;
    }

    static void applyVerbosity(GlobalOptions global) {
        if (global != null && global.verbose) {
            ((Logger) LoggerFactory.getLogger("dev.lockwise")).setLevel(Level.DEBUG);
            ((Logger) LoggerFactory.getLogger("com.zaxxer.hikari")).setLevel(Level.INFO);
        }
    }

    /**
     * The version the build wrote into {@code lockwise-version.properties}, and the commit when it was built from a
     * git checkout ({@code +dirty} when the checkout had uncommitted changes).
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"lockwise " + version()};
        }

        static String version() {
            Properties properties = new Properties();
            try (InputStream in = LockwiseCommand.class.getResourceAsStream("/lockwise-version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                // reported as unknown below
            }
            String version = built(properties, "version").orElse("unknown");
            return built(properties, "commit")
                    .map(commit -> version + " (commit " + commit
                            + (built(properties, "dirty").filter("true"::equals).isPresent() ? "+dirty" : "") + ")")
                    .orElse(version);
        }

        /** A value the build filled in; a placeholder left as it was means the build did not know it. */
        private static java.util.Optional<String> built(Properties properties, String key) {
            String value = properties.getProperty(key, "").trim();
            return value.isEmpty() || value.startsWith("${") ? java.util.Optional.empty() : java.util.Optional.of(value);
        }
    }
}
