package dev.lockwise.bootstrap.cli;

import dev.lockwise.application.RunExclusive;
import dev.lockwise.bootstrap.config.ConfigException;
import dev.lockwise.bootstrap.config.Durations;
import dev.lockwise.domain.DurationText;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A cluster-wide {@code flock} for cron jobs: runs a command only while holding a lease, renews it while the command
 * runs, and makes sure nothing of the command runs once the database could hand the lease to another holder:
 *
 * <ul>
 *   <li>the command runs in a process group of its own that dies with this process, even by SIGKILL
 *       ({@link SupervisedCommand});</li>
 *   <li>if renewals stop succeeding, the group gets SIGTERM {@code --grace} before the holder's validity ends and
 *       SIGKILL when it ends — the validity being {@code ttl − margin} after the last renewal was sent, by this
 *       machine's monotonic clock, which is never later than the database's expiry;</li>
 *   <li>if the lease is lost outright (the database says another holder has it), SIGKILL at once;</li>
 *   <li>SIGTERM or SIGINT to lockwise: SIGTERM to the group, SIGKILL after the grace, then the lease is released at
 *       once (the next holder need not wait for the ttl).</li>
 * </ul>
 * The child sees its fencing token in {@code LOCKWISE_LEASE_GENERATION}, the lock id in {@code LOCKWISE_LOCK_ID},
 * and the validity left when it started in {@code LOCKWISE_LEASE_VALID_MS}; never a database password.
 */
@Command(name = "exclusive", mixinStandardHelpOptions = true,
        description = "Run a command while holding a lease, so it runs on one machine at a time.",
        footer = {"", "Exit codes: the command's own; 75 lock unavailable; 76 lease lost (command terminated);",
                "2 invalid input; 3 database unavailable; 143 lockwise itself was told to stop (SIGTERM/SIGINT).",
                "Example: lockwise exclusive --lock nightly-report --ttl 30s -- ./report.sh --full"})
final class ExclusiveCommand extends SessionCommand {
    static final Duration MAX_DEFAULT_GRACE = Duration.ofSeconds(5);
    private static final int TERMINATED_BY_SIGNAL = 143;
    private static final Pattern CREDENTIALS_IN_URL = Pattern.compile("(?i)(password=|//[^/@]*:[^/@]*@)");

    @Option(names = "--lock", required = true, paramLabel = "NAME", description = "The lock id.")
    String lock;

    @Option(names = "--ttl", required = true, paramLabel = "DURATION", description = "Lease time to live, e.g. 30s.")
    String ttl;

    @Option(names = "--renew-every", paramLabel = "DURATION", description = "Renewal interval (default ttl/3).")
    String renewEvery;

    @Option(names = "--wait", paramLabel = "DURATION", description = "Wait up to this long for the lease (default: try once).")
    String wait;

    @Option(names = "--margin", paramLabel = "DURATION", description = "How much earlier than the database this"
            + " holder gives the lease up, for clock-rate drift and stopping time (default ttl/10, at least 20ms).")
    String margin;

    @Option(names = "--grace", paramLabel = "DURATION", description = "SIGTERM this long before the validity ends,"
            + " SIGKILL when it ends (default half of what ttl - margin - renewal interval leaves, at most 5s).")
    String grace;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    private LockId lockId;
    private LeaseTerms terms;
    private Duration graceTime;
    private volatile boolean stopping;

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
        if (margin != null) {
            terms = terms.withMargin(duration("--margin", margin));
        }
        Duration room = terms.validity().minus(terms.renewEvery());
        if (grace == null) {
            Duration half = room.dividedBy(2);
            graceTime = half.compareTo(MAX_DEFAULT_GRACE) > 0 ? MAX_DEFAULT_GRACE : half;
        } else {
            graceTime = duration("--grace", grace);
            if (graceTime.isZero() || graceTime.compareTo(room) >= 0) {
                throw new ConfigException("--grace (" + DurationText.show(graceTime) + ") must be positive and"
                        + " shorter than ttl - margin - renewal interval (" + DurationText.show(terms.ttl()) + " - "
                        + DurationText.show(terms.margin()) + " - " + DurationText.show(terms.renewEvery()) + " = "
                        + DurationText.show(room) + "), so that a healthy renewal always comes before the SIGTERM");
            }
        }
    }

    @Override
    int run(Session session) throws Exception {
        RunExclusive runExclusive = session.get(RunExclusive.class);
        Thread supervising = Thread.currentThread();
        CountDownLatch finished = new CountDownLatch(1);
        session.database.onShutdownFirst(() -> {
            // SIGTERM/SIGINT to lockwise: stop the command, release the lease, then let the pool close.
            stopping = true;
            supervising.interrupt();
            awaitQuietly(finished, graceTime.plusSeconds(10));
        });
        try {
            return runExclusive.run(lockId, terms, lease -> runCommand(runExclusive, lease));
        } catch (LockUnavailableException e) {
            spec.commandLine().getErr().println("lockwise: " + e.getMessage());
            return ExitCodes.LOCK_UNAVAILABLE;
        } catch (LeaseLostException e) {
            spec.commandLine().getErr().println("lockwise: " + e.getMessage() + "; the command was terminated");
            return ExitCodes.LEASE_LOST;
        } catch (InterruptedException e) {
            spec.commandLine().getErr().println("lockwise: stopped by a signal; the command was terminated and the"
                    + " lease released");
            return TERMINATED_BY_SIGNAL;
        } finally {
            finished.countDown();
        }
    }

    private int runCommand(RunExclusive runExclusive, Lease lease) throws InterruptedException {
        SupervisedCommand child;
        try {
            child = SupervisedCommand.start(command, childEnvironment(lease, runExclusive.remainingValidity(lease)));
        } catch (IOException e) {
            throw new ConfigException("cannot start command '" + command.get(0) + "': " + e.getMessage());
        }
        if (!child.grouped()) {
            spec.commandLine().getErr().println("lockwise: setsid/setpriv not found: the command runs as a plain"
                    + " child and will not be stopped if lockwise itself is killed");
        }
        try {
            while (true) {
                Duration untilTerm = runExclusive.remainingValidity(lease).minus(graceTime);
                if (untilTerm.isNegative() || untilTerm.isZero()) {
                    break;
                }
                if (child.waitFor(untilTerm)) {
                    child.killLeftovers();
                    return child.exitValue();
                }
            }
            // Renewals have not succeeded for ttl - margin - grace: ask the command to stop, then make it stop.
            child.terminate();
            if (!child.waitFor(runExclusive.remainingValidity(lease))) {
                child.kill();
            }
            child.killLeftovers();
            throw new LeaseLostException(lease, "no renewal succeeded in time; the command got SIGTERM "
                    + DurationText.show(graceTime) + " before its validity ended", null);
        } catch (InterruptedException interrupted) {
            if (stopping) {
                child.terminate();
                Duration left = runExclusive.remainingValidity(lease);
                if (!child.waitFor(left.compareTo(graceTime) < 0 ? left : graceTime)) {
                    child.kill();
                }
                child.killLeftovers();
            } else {
                child.kill(); // the lease is gone: nothing of the command may run any longer
            }
            throw interrupted;
        }
    }

    /** This process's environment, less every secret, plus the lease. */
    static Map<String, String> childEnvironment(Lease lease, Duration validity) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.remove("LOCKWISE_DB_PASSWORD");
        environment.remove("PGPASSWORD");
        String url = environment.get("LOCKWISE_DB_URL");
        if (url != null && CREDENTIALS_IN_URL.matcher(url).find()) {
            environment.remove("LOCKWISE_DB_URL");
        }
        environment.put("LOCKWISE_LOCK_ID", lease.lockId().value());
        environment.put("LOCKWISE_LEASE_GENERATION", Long.toString(lease.generation()));
        environment.put("LOCKWISE_LEASE_VALID_MS", Long.toString(validity.toMillis()));
        return environment;
    }

    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
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
