package dev.lockwise.domain.schedule;

import dev.lockwise.domain.lease.LockId;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One recorded run of a job scheduled once per slot. Every time is the database's.
 *
 * @param lockId     the job's lock
 * @param slotStart  the start of the slot it ran in (inclusive)
 * @param slotEnd    the end of that slot (exclusive)
 * @param generation the lease generation it ran under: its fencing token
 * @param holder     who ran it (by default {@code pid@host})
 * @param startedAt  when the run was recorded as started
 * @param endedAt    when it was recorded as ended; {@code null} while it runs
 * @param outcome    where it stands
 * @param exitCode   a command's exit status; {@code null} for a library task, or if the command never exited
 */
public record ScheduledRun(LockId lockId, Instant slotStart, Instant slotEnd, long generation, String holder,
                           Instant startedAt, Instant endedAt, RunOutcome outcome, Integer exitCode) {
    /**
     * Checks that everything but the end and the exit status is present.
     *
     * @param lockId     the job's lock
     * @param slotStart  the slot's start
     * @param slotEnd    the slot's end
     * @param generation the lease generation
     * @param holder     who ran it
     * @param startedAt  when it started
     * @param endedAt    when it ended, or {@code null}
     * @param outcome    where it stands
     * @param exitCode   the exit status, or {@code null}
     */
    public ScheduledRun {
        Objects.requireNonNull(lockId, "lockId");
        Objects.requireNonNull(slotStart, "slotStart");
        Objects.requireNonNull(slotEnd, "slotEnd");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** @return when the run ended, empty while it runs */
    public Optional<Instant> ended() {
        return Optional.ofNullable(endedAt);
    }

    /** @return the command's exit status, empty if there was none */
    public OptionalInt exit() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }
}
