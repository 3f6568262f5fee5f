package dev.lockwise.cli;

import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.RunOncePerSlot;
import dev.lockwise.cli.config.ChildEnvironment;
import dev.lockwise.cli.config.ConfigException;
import dev.lockwise.cli.config.Durations;
import dev.lockwise.domain.DurationText;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.lease.LockUnavailableException;
import dev.lockwise.domain.schedule.ScheduledRun;
import dev.lockwise.domain.schedule.SlotResult;
import dev.lockwise.domain.schedule.SlotSchedule;
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
                "79 --once-per: the slot already had its run (not run again); 2 invalid input;",
                "3 database unavailable; 143 lockwise itself was told to stop (SIGTERM/SIGINT).",
                "Example: lockwise exclusive --lock nightly-report --ttl 30s -- ./report.sh --full",
                "Cron on several machines: lockwise exclusive --lock nightly --ttl 1m --wait 10m --once-per 1d"
                        + " --slot-offset 2h -- ./nightly.sh"})
final class ExclusiveCommand extends SessionCommand {
    static final Duration MAX_DEFAULT_GRACE = Duration.ofSeconds(5);
    private static final int TERMINATED_BY_SIGNAL = 143;

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

    @Option(names = "--hold-at-least", paramLabel = "DURATION", description = "Keep the lease at least this long"
            + " after it was acquired, by the database clock, even if the command ends sooner (at most the ttl):"
            + " machines whose cron fires a few seconds apart do not run the job one after the other.")
    String holdAtLeast;

    @Option(names = "--once-per", paramLabel = "DURATION", description = "Run at most once per slot of this length"
            + " (aligned to the epoch in UTC, by the database clock), recorded in scheduled_run; a caller whose slot"
            + " already had its run exits 79 and says who ran it.")
    String oncePer;

    @Option(names = "--slot-offset", paramLabel = "DURATION", description = "With --once-per: where slots start,"
            + " e.g. --once-per 1d --slot-offset 2h for 02:00 UTC (default 0).")
    String slotOffset;

    @Option(names = "--retry-failed", description = "With --once-per: a run that failed (exit status not 0) or whose"
            + " holder died does not use up the slot; the next caller runs the command again. Default: it does"
            + " (at most one run per slot, whatever its outcome).")
    boolean retryFailed;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    private LockId lockId;
    private LeaseTerms terms;
    private Duration graceTime;
    private SlotSchedule schedule;
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
        if (holdAtLeast != null) {
            terms = terms.holdingAtLeast(duration("--hold-at-least", holdAtLeast));
        }
        if (oncePer != null) {
            schedule = SlotSchedule.every(duration("--once-per", oncePer)).retryingFailedRuns(retryFailed);
            if (slotOffset != null) {
                schedule = schedule.withOffset(duration("--slot-offset", slotOffset));
            }
        } else if (slotOffset != null || retryFailed) {
            throw new ConfigException((slotOffset != null ? "--slot-offset" : "--retry-failed")
                    + " needs --once-per");
        }
        // After a renewal is sent, ttl - margin - renewal interval remain before the next one must have come back;
        // the grace takes at most half of it, the other half is the renewal's time to return.
        Duration room = terms.validity().minus(terms.renewEvery());
        Duration half = room.dividedBy(2);
        if (grace == null) {
            graceTime = half.compareTo(MAX_DEFAULT_GRACE) > 0 ? MAX_DEFAULT_GRACE : half;
        } else {
            graceTime = duration("--grace", grace);
            if (graceTime.isZero() || graceTime.compareTo(half) > 0) {
                throw new ConfigException("--grace (" + DurationText.show(graceTime) + ") must be positive and at"
                        + " most half of ttl - margin - renewal interval (" + DurationText.show(terms.ttl()) + " - "
                        + DurationText.show(terms.margin()) + " - " + DurationText.show(terms.renewEvery()) + " = "
                        + DurationText.show(room) + "), so that a healthy renewal always comes back before the"
                        + " SIGTERM");
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
            if (schedule == null) {
                return runExclusive.run(lockId, terms, lease -> runCommand(runExclusive, lease));
            }
            SlotResult<Integer> result = session.get(RunOncePerSlot.class).runOncePer(lockId, schedule, terms,
                    lease -> runCommand(runExclusive, lease), Integer::intValue);
            if (result instanceof SlotResult.Ran<Integer> ran) {
                return ran.value();
            }
            ScheduledRun previous = ((SlotResult.AlreadyDone<Integer>) result).previous();
            report.result("not run: the slot " + previous.slotStart() + " to " + previous.slotEnd()
                    + " of '" + lockId + "' already had its run: " + RunsCommand.describe(previous),
                    RunsCommand.fields(previous));
            return ExitCodes.SLOT_DONE;
        } catch (LockUnavailableException e) {
            LockwiseCommand.printError(err(), report.json(), e.getMessage(), ExitCodes.LOCK_UNAVAILABLE);
            return ExitCodes.LOCK_UNAVAILABLE;
        } catch (LeaseLostException e) {
            LockwiseCommand.printError(err(), report.json(), e.getMessage() + "; the command was terminated",
                    ExitCodes.LEASE_LOST);
            return ExitCodes.LEASE_LOST;
        } catch (InterruptedException e) {
            LockwiseCommand.printError(err(), report.json(), "stopped by a signal; the command was terminated and the"
                    + " lease released", TERMINATED_BY_SIGNAL);
            return TERMINATED_BY_SIGNAL;
        } finally {
            finished.countDown();
        }
    }

    private int runCommand(RunExclusive runExclusive, Lease lease) throws InterruptedException {
        SupervisedCommand child;
        try {
            child = SupervisedCommand.start(command, childEnvironment(lease, runExclusive.remainingValidity(lease)),
                    warning -> err().println(warning));
        } catch (IOException e) {
            return cannotStart(e);
        }
        if (!child.grouped()) {
            err().println("lockwise: setsid or a setpriv with --pdeathsig (util-linux 2.33+) not found: the command"
                    + " runs as a plain child and will not be stopped if lockwise itself is killed");
        }
        try {
            while (true) {
                Duration untilTerm = runExclusive.remainingValidity(lease).minus(graceTime);
                if (untilTerm.isNegative() || untilTerm.isZero()) {
                    break;
                }
                if (child.waitFor(untilTerm)) {
                    return child.exitValue();
                }
            }
            // Renewals have not succeeded for ttl - margin - grace: ask the command to stop; the finally block makes
            // it stop when the validity ends.
            child.terminate();
            awaitExit(child, () -> runExclusive.remainingValidity(lease));
            throw new LeaseLostException(lease, "no renewal succeeded in time; the command got SIGTERM "
                    + DurationText.show(graceTime) + " before its validity ended", null);
        } catch (InterruptedException interrupted) {
            if (stopping) {
                // SIGTERM to lockwise: the command gets SIGTERM and the grace (within the validity) to end.
                child.terminate();
                long graceEnds = System.nanoTime() + graceTime.toNanos();
                awaitExit(child, () -> min(runExclusive.remainingValidity(lease),
                        Duration.ofNanos(graceEnds - System.nanoTime())));
            }
            throw interrupted; // else the lease is gone: the finally block kills the command at once
        } finally {
            // Whatever happened above — a lost lease, an interrupt during the waits, an exception — nothing of the
            // command runs once this returns, or the lease is not released.
            if (!child.exited()) {
                child.kill();
            }
            child.killLeftovers();
            Duration left = runExclusive.remainingValidity(lease);
            if (!child.awaitGroupGone(left.compareTo(Duration.ofSeconds(1)) > 0 ? left : Duration.ofSeconds(1))) {
                throw new LeaseLostException(lease, "a process of the command's group was still alive after SIGKILL"
                        + " (in an uninterruptible wait?); the lease is left to expire rather than released", null);
            }
        }
    }

    /**
     * Waits for the command to exit, at most until {@code left} reads zero (it is read again after every interrupt:
     * a lost lease reads zero at once). Interrupts are noted, then re-asserted.
     */
    private static void awaitExit(SupervisedCommand child, java.util.function.Supplier<Duration> left) {
        boolean interrupted = false;
        try {
            while (!child.exited()) {
                Duration wait = left.get();
                if (wait.isNegative() || wait.isZero()) {
                    return;
                }
                try {
                    if (child.waitFor(wait)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Without a supervising shell the JVM starts the command itself: report as a shell would (127, 126). */
    private int cannotStart(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("error=2,")) {
            err().println("lockwise: " + command.get(0) + ": command not found");
            return 127;
        }
        if (message.contains("error=13,")) {
            err().println("lockwise: " + command.get(0) + ": permission denied");
            return 126;
        }
        throw new ConfigException("cannot start command '" + command.get(0) + "': " + message);
    }

    /** This process's environment, less every secret, plus the lease. */
    static Map<String, String> childEnvironment(Lease lease, Duration validity) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        ChildEnvironment.removeSecrets(environment);
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
