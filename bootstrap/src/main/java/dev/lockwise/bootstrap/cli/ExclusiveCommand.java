package dev.lockwise.bootstrap.cli;

import dev.lockwise.application.RunExclusive;
import dev.lockwise.bootstrap.config.ConfigException;
import dev.lockwise.bootstrap.config.Durations;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.lease.LockUnavailableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cluster-wide {@code flock} for cron jobs: runs a command only while holding a lease, renews it while the
 * command runs, terminates the command if the lease is lost. The child sees its fencing token in
 * {@code LOCKWISE_LEASE_GENERATION} (and the lock id in {@code LOCKWISE_LOCK_ID}).
 */
@Command(name = "exclusive", mixinStandardHelpOptions = true,
        description = "Run a command while holding a lease, so it runs on one machine at a time.",
        footer = {"", "Exit codes: the command's own; 75 lock unavailable; 76 lease lost (command terminated);",
                "2 invalid input; 3 database unavailable.",
                "Example: lockwise exclusive --lock nightly-report --ttl 30s -- ./report.sh --full"})
final class ExclusiveCommand extends SessionCommand {
    static final Duration GRACE = Duration.ofSeconds(5);

    @Option(names = "--lock", required = true, paramLabel = "NAME", description = "The lock id.")
    String lock;

    @Option(names = "--ttl", required = true, paramLabel = "DURATION", description = "Lease time to live, e.g. 30s.")
    String ttl;

    @Option(names = "--renew-every", paramLabel = "DURATION", description = "Renewal interval (default ttl/3).")
    String renewEvery;

    @Option(names = "--wait", paramLabel = "DURATION", description = "Wait up to this long for the lease (default: try once).")
    String wait;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    private LockId lockId;
    private LeaseTerms terms;

    @Override
    void validate() {
        lockId = new LockId(lock);
        terms = LeaseTerms.tryOnce(duration("--ttl", ttl));
        if (renewEvery != null) {
            terms = terms.renewingEvery(duration("--renew-every", renewEvery));
        }
        if (wait != null) {
            terms = terms.waitingUpTo(duration("--wait", wait));
        }
    }

    @Override
    int run(Session session) throws Exception {
        try {
            return session.get(RunExclusive.class).run(lockId, terms, this::runChild);
        } catch (LockUnavailableException e) {
            spec.commandLine().getErr().println("lockwise: " + e.getMessage());
            return ExitCodes.LOCK_UNAVAILABLE;
        } catch (LeaseLostException e) {
            spec.commandLine().getErr().println("lockwise: " + e.getMessage() + "; the command was terminated");
            return ExitCodes.LEASE_LOST;
        }
    }

    private int runChild(Lease lease) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("LOCKWISE_LOCK_ID", lease.lockId().value());
        builder.environment().put("LOCKWISE_LEASE_GENERATION", Long.toString(lease.generation()));
        builder.environment().remove("LOCKWISE_DB_PASSWORD");
        Process child;
        try {
            child = builder.start();
        } catch (IOException e) {
            throw new ConfigException("cannot start command '" + command.get(0) + "': " + e.getMessage());
        }
        try {
            return child.waitFor();
        } catch (InterruptedException lost) {
            terminate(child);
            throw lost;
        }
    }

    /** SIGTERM, then SIGKILL after a grace period; the command's children go too. */
    private static void terminate(Process child) {
        child.descendants().forEach(ProcessHandle::destroy);
        child.destroy();
        try {
            if (!child.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly();
            }
        } catch (InterruptedException again) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Duration duration(String option, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value '" + text + "' for " + option + ": valid: a duration such as"
                    + " 500ms, 30s, 2m or 1h");
        }
    }
}
