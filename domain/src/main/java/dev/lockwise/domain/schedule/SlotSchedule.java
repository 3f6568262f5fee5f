package dev.lockwise.domain.schedule;

import dev.lockwise.domain.DurationText;
import dev.lockwise.domain.InvalidInputException;

import java.time.Duration;
import java.util.Objects;

/**
 * "At most once per period": time is cut into slots of {@code period}, aligned to the Unix epoch in UTC and shifted
 * by {@code offset} ({@code period 1d, offset 2h}: every day from 02:00 UTC to the next day's 02:00 UTC). Slots are
 * computed by the database from its own clock when a run is about to start, never by the caller's clock, so callers
 * whose clocks disagree still agree on the slot.
 *
 * @param period      the slot length, in whole milliseconds, from {@link #MIN_PERIOD} to {@link #MAX_PERIOD}
 * @param offset      where slots start relative to the epoch; from zero (inclusive) to {@code period} (exclusive)
 * @param retryFailed whether a run that failed, or whose holder died, may be followed by another run in the same
 *                    slot. {@code false} (the default) keeps "at most once" literal: whatever ran in the slot, it
 *                    is not started again (a job that failed half-way is not necessarily safe to start twice);
 *                    {@code true} retries until one run succeeds, for idempotent jobs
 */
public record SlotSchedule(Duration period, Duration offset, boolean retryFailed) {
    /** The shortest slot accepted. */
    public static final Duration MIN_PERIOD = Duration.ofSeconds(1);
    /** The longest slot accepted. */
    public static final Duration MAX_PERIOD = Duration.ofDays(366);

    /**
     * Checks the period and the offset.
     *
     * @param period      the slot length
     * @param offset      where slots start relative to the epoch
     * @param retryFailed whether a failed or abandoned run may be followed by another in the same slot
     * @throws InvalidInputException if the period is out of range or not whole milliseconds, or the offset is not
     *                               within the period
     */
    public SlotSchedule {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(offset, "offset");
        if (period.compareTo(MIN_PERIOD) < 0 || period.compareTo(MAX_PERIOD) > 0) {
            throw new InvalidInputException("slot period must be between " + DurationText.show(MIN_PERIOD) + " and "
                    + DurationText.show(MAX_PERIOD) + ", got " + DurationText.show(period));
        }
        if (period.toNanos() % 1_000_000 != 0 || offset.toNanos() % 1_000_000 != 0) {
            throw new InvalidInputException("slot period and offset must be whole milliseconds, got "
                    + DurationText.show(period) + " and " + DurationText.show(offset));
        }
        if (offset.isNegative() || offset.compareTo(period) >= 0) {
            throw new InvalidInputException("slot offset must be at least 0 and shorter than the period ("
                    + DurationText.show(period) + "), got " + DurationText.show(offset));
        }
    }

    /**
     * Slots of {@code period} aligned to the epoch, a failed run not retried within its slot.
     *
     * @param period the slot length (see the record's rules)
     * @return the schedule
     * @throws InvalidInputException if the period is out of range
     */
    public static SlotSchedule every(Duration period) {
        return new SlotSchedule(period, Duration.ZERO, false);
    }

    /**
     * @param value where slots start relative to the epoch, e.g. {@code 2h} with a period of a day for 02:00 UTC
     * @return this schedule with that offset
     * @throws InvalidInputException if the offset is negative or not shorter than the period
     */
    public SlotSchedule withOffset(Duration value) {
        return new SlotSchedule(period, value, retryFailed);
    }

    /**
     * @param value whether a failed or abandoned run may be followed by another one in the same slot
     * @return this schedule with that choice
     */
    public SlotSchedule retryingFailedRuns(boolean value) {
        return new SlotSchedule(period, offset, value);
    }
}
