package dev.lockwise.domain.schedule;

import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LockId;

import java.util.List;

/**
 * The record of scheduled runs, in the same database as the lease. Starting and ending a run are fenced writes: the
 * database accepts them only while {@code lease} is held, so two holders can never both start a run in one slot,
 * whatever their clocks say.
 */
public interface ScheduledRunLog {
    /**
     * Under a held lease: computes the current slot by the database clock and starts a run in it, unless the slot
     * is done (see {@link SlotSchedule#retryFailed()}). Runs of this lock still recorded as running under an older
     * generation are marked {@link RunOutcome#ABANDONED} first: their holder lost the lease.
     *
     * @param lease    the lease held for {@code lease.lockId()}
     * @param schedule the slots
     * @param holder   who runs it, at most 200 characters
     * @return {@link SlotClaim.Started} with the new record, or {@link SlotClaim.Done} with the run that settled
     *         the slot
     * @throws LeaseLostException if the database refused the fenced write: the lease is no longer held
     */
    SlotClaim begin(Lease lease, SlotSchedule schedule, String holder);

    /**
     * Records how a run ended.
     *
     * @param lease    the lease it ran under
     * @param run      the record {@link #begin} returned
     * @param outcome  {@link RunOutcome#SUCCEEDED} or {@link RunOutcome#FAILED}
     * @param exitCode a command's exit status, or {@code null}
     * @return the updated record
     * @throws LeaseLostException if the database refused the fenced write: the lease is no longer held
     */
    ScheduledRun end(Lease lease, ScheduledRun run, RunOutcome outcome, Integer exitCode);

    /**
     * The latest runs of a lock, newest first. A run recorded as running whose lease is gone is reported
     * {@link RunOutcome#ABANDONED}.
     *
     * @param lockId the job's lock
     * @param limit  how many, at least 1
     * @return at most {@code limit} runs
     */
    List<ScheduledRun> recent(LockId lockId, int limit);
}
