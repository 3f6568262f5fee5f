package dev.lockwise.application;

import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LeasedTask;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.lease.LockUnavailableException;
import dev.lockwise.domain.schedule.RunOutcome;
import dev.lockwise.domain.schedule.ScheduledRun;
import dev.lockwise.domain.schedule.ScheduledRunLog;
import dev.lockwise.domain.schedule.SlotClaim;
import dev.lockwise.domain.schedule.SlotResult;
import dev.lockwise.domain.schedule.SlotSchedule;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * Runs a task at most once per schedule slot across the cluster ("the 02:00 job, once, however many machines' cron
 * fire"). The caller first takes the lease as {@link RunExclusive} does (one holder at a time, waiting as the terms
 * say); under the lease, the database computes the current slot from its own clock and either records a new run —
 * then the task runs, and its end is recorded — or answers that the slot is done, with who ran it, when and how it
 * ended. The records are written by fenced statements, so a holder that lost its lease cannot start or end a run.
 *
 * <p>A run that was started but never recorded an end (its holder was killed, or lost the lease) is marked
 * {@link RunOutcome#ABANDONED} by the next caller. Whether a failed or abandoned run ends the slot is the schedule's
 * {@link SlotSchedule#retryFailed()} choice.
 *
 * <p>Faults and limits: a caller that cannot reach the database does not run the task; a task whose lease is lost
 * while it runs is interrupted and its run ends up abandoned; slots are as exact as the database server's clock.
 */
public final class RunOncePerSlot {
    private static final int MAX_HOLDER = 200;

    private final RunExclusive runExclusive;
    private final ScheduledRunLog log;
    private final String holder;

    /**
     * @param runExclusive how the lease is held while the task runs
     * @param log          where runs are recorded
     * @param holder       who this process is, as recorded with its runs (1 to 200 characters);
     *                     {@link #defaultHolder()} if in doubt
     * @throws InvalidInputException if the holder is blank or too long
     */
    public RunOncePerSlot(RunExclusive runExclusive, ScheduledRunLog log, String holder) {
        this.runExclusive = Objects.requireNonNull(runExclusive, "runExclusive");
        this.log = Objects.requireNonNull(log, "log");
        if (holder == null || holder.isBlank() || holder.length() > MAX_HOLDER) {
            throw new InvalidInputException("a holder name must be 1 to " + MAX_HOLDER + " characters");
        }
        this.holder = holder;
    }

    /**
     * {@code pid@host}: this process's id and the machine's name as the JVM resolves it once (or
     * {@code unknown-host}), cut to 200 characters.
     *
     * @return a holder name for this process
     */
    public static String defaultHolder() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException | SecurityException e) {
            host = "unknown-host";
        }
        String name = ProcessHandle.current().pid() + "@" + host;
        return name.length() > MAX_HOLDER ? name.substring(0, MAX_HOLDER) : name;
    }

    /**
     * @return who this process is in the records it writes
     */
    public String holder() {
        return holder;
    }

    /**
     * Runs {@code task} unless the current slot of {@code period} (aligned to the epoch, no offset, failed runs not
     * retried) is already done. See {@link #runOncePer(LockId, SlotSchedule, LeaseTerms, LeasedTask)}.
     *
     * @param lockId the job's lock
     * @param period the slot length
     * @param terms  how the lease is held while the task runs
     * @param task   the job
     * @param <T>    what the task returns
     * @param <E>    what the task may throw
     * @return {@link SlotResult.Ran} or {@link SlotResult.AlreadyDone}
     * @throws E if the task failed (its run is recorded as failed)
     */
    public <T, E extends Exception> SlotResult<T> runOncePer(LockId lockId, Duration period, LeaseTerms terms,
                                                            LeasedTask<T, E> task) throws E {
        return runOncePer(lockId, SlotSchedule.every(period), terms, task);
    }

    /**
     * Runs {@code task} at most once in the current slot: a task that returns is recorded as succeeded, one that
     * throws as failed (and its exception comes back unchanged).
     *
     * @param lockId   the job's lock
     * @param schedule the slots and whether a failed run may be retried within its slot
     * @param terms    how the lease is held while the task runs (its wait decides what happens when another
     *                 holder's run is in progress: fail at once, or wait for it and then find the slot done)
     * @param task     the job
     * @param <T>      what the task returns
     * @param <E>      what the task may throw
     * @return {@link SlotResult.Ran} with the task's value and its record, or {@link SlotResult.AlreadyDone} with the
     *         run that settled the slot (the task did not run)
     * @throws LockUnavailableException if another holder had the lease throughout the terms' wait
     * @throws LeaseLostException       if the lease was lost while the task ran (the run ends up abandoned)
     * @throws E                        the task's own failure
     */
    public <T, E extends Exception> SlotResult<T> runOncePer(LockId lockId, SlotSchedule schedule, LeaseTerms terms,
                                                            LeasedTask<T, E> task) throws E {
        return runOncePer(lockId, schedule, terms, task, null);
    }

    /**
     * As {@link #runOncePer(LockId, SlotSchedule, LeaseTerms, LeasedTask)}, for a task that reports an exit status
     * (a command): a status other than 0 is recorded as failed, and the status is recorded with the run.
     *
     * @param lockId     the job's lock
     * @param schedule   the slots and whether a failed run may be retried within its slot
     * @param terms      how the lease is held while the task runs
     * @param task       the job
     * @param exitStatus reads the exit status from what the task returned; {@code null}: no status, success
     * @param <T>        what the task returns
     * @param <E>        what the task may throw
     * @return {@link SlotResult.Ran} or {@link SlotResult.AlreadyDone}
     * @throws LockUnavailableException if another holder had the lease throughout the terms' wait
     * @throws LeaseLostException       if the lease was lost while the task ran
     * @throws E                        the task's own failure
     */
    public <T, E extends Exception> SlotResult<T> runOncePer(LockId lockId, SlotSchedule schedule, LeaseTerms terms,
                                                            LeasedTask<T, E> task,
                                                            ToIntFunction<? super T> exitStatus) throws E {
        if (lockId == null || schedule == null || terms == null || task == null) {
            throw new InvalidInputException("run once per slot needs a lock id, a schedule, terms and a task");
        }
        return runExclusive.run(lockId, terms, lease -> {
            SlotClaim claim = log.begin(lease, schedule, holder);
            if (claim instanceof SlotClaim.Done done) {
                return new SlotResult.AlreadyDone<>(done.previous());
            }
            ScheduledRun run = ((SlotClaim.Started) claim).run();
            T value;
            try {
                value = task.run(lease);
            } catch (Exception | Error failure) {
                try {
                    log.end(lease, run, RunOutcome.FAILED, null);
                } catch (RuntimeException notRecorded) {
                    failure.addSuppressed(notRecorded);
                }
                throw failure;
            }
            Integer status = exitStatus == null ? null : exitStatus.applyAsInt(value);
            RunOutcome outcome = status == null || status == 0 ? RunOutcome.SUCCEEDED : RunOutcome.FAILED;
            return new SlotResult.Ran<>(value, log.end(lease, run, outcome, status));
        });
    }

    /**
     * The latest recorded runs of a job, newest first; a run whose holder is gone shows as abandoned.
     *
     * @param lockId the job's lock
     * @param last   how many, at least 1
     * @return at most {@code last} runs
     */
    public List<ScheduledRun> runs(LockId lockId, int last) {
        return log.recent(lockId, last);
    }
}
