package dev.lockwise.domain.schedule;

import java.util.Objects;

/**
 * What a call to run a task once per slot came to.
 *
 * @param <T> what the task returns
 */
public sealed interface SlotResult<T> {
    /**
     * This caller ran the task in the slot.
     *
     * @param value what the task returned
     * @param run   its record, ended
     * @param <T>   what the task returns
     */
    record Ran<T>(T value, ScheduledRun run) implements SlotResult<T> {
        /**
         * Checks that the record is present.
         *
         * @param value what the task returned
         * @param run   its record
         */
        public Ran {
            Objects.requireNonNull(run, "run");
        }
    }

    /**
     * The slot was already done: the task did not run here.
     *
     * @param previous who ran it, when, and how it ended
     * @param <T>      what the task returns
     */
    record AlreadyDone<T>(ScheduledRun previous) implements SlotResult<T> {
        /**
         * Checks that the record is present.
         *
         * @param previous the run that settled the slot
         */
        public AlreadyDone {
            Objects.requireNonNull(previous, "previous");
        }
    }
}
