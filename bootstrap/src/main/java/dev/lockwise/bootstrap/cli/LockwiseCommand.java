package dev.lockwise.bootstrap.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.lockwise.domain.LockwiseException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lockwise}: the command line. With no subcommand it runs the demo. */
@Command(name = "lockwise", mixinStandardHelpOptions = true, versionProvider = LockwiseCommand.Version.class,
        description = "Safe, measurable concurrent writes to PostgreSQL: optimistic, pessimistic and adaptive"
                + " deposits, exactly-once processing, and a lease lock to run a job on one machine at a time.",
        subcommands = {DemoCommand.class, MigrateCommand.class, AccountCommand.class, DepositCommand.class,
                VerFactCommand.class, ExclusiveCommand.class, ServeCommand.class, BenchCommand.class, WorkloadCommand.class,
                BenchWorkerCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:refused (not found, lock unavailable, retries exhausted, ...)",
                "2:invalid input, usage or configuration", "3:database unavailable",
                "75:exclusive: lock unavailable", "76:exclusive: lease lost (command terminated)"},
        footer = {"", "Settings come from flags, then LOCKWISE_* environment variables, then --config FILE, then"
                + " defaults. See README.md."})
public final class LockwiseCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    final Map<String, String> environment;

    public LockwiseCommand() {
        this(System.getenv());
    }

    /** @param environment the environment to read LOCKWISE_* settings from (tests pass their own) */
    public LockwiseCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        DemoCommand demo = new DemoCommand();
        demo.global = global;
        demo.parent = this;
        demo.out = spec.commandLine().getOut();
        return demo.call();
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** The configured picocli command line: exit codes and one-line error messages for every failure. */
    public static CommandLine commandLine(Map<String, String> environment) {
        CommandLine commandLine = new CommandLine(new LockwiseCommand(environment));
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((failure, cmd, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose") || parseResult.subcommands().stream()
                    .anyMatch(sub -> sub.hasMatchedOption("--verbose"));
            PrintWriter err = cmd.getErr();
            String message = failure instanceof LockwiseException || failure instanceof IllegalArgumentException
                    ? failure.getMessage() : "unexpected error: " + failure;
            err.println("lockwise: " + message);
            if (verbose) {
                failure.printStackTrace(err);
            } else if (!(failure instanceof LockwiseException)) {
                err.println("lockwise: run again with --verbose for details");
            }
            err.flush();
            return ExitCodes.of(failure);
        });
        return commandLine;
    }

    static void applyVerbosity(GlobalOptions global) {
        if (global != null && global.verbose) {
            ((Logger) LoggerFactory.getLogger("dev.lockwise")).setLevel(Level.DEBUG);
            ((Logger) LoggerFactory.getLogger("com.zaxxer.hikari")).setLevel(Level.INFO);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = LockwiseCommand.class.getPackage().getImplementationVersion();
            return new String[]{"lockwise " + (version == null ? "(development build)" : version)};
        }
    }
}
