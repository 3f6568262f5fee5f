package dev.lockwise.domain.schedule;

import java.util.Objects;

/** What the lease holder learns when it asks to start a run in the current slot. */
public sealed interface SlotClaim {
    /**
     * The slot was free: this run is recorded as started, and the task may run.
     *
     * @param run the new record, {@link RunOutcome#RUNNING}
     */
    record Started(ScheduledRun run) implements SlotClaim {
        /**
         * Checks that the record is present.
         *
         * @param run the new record
         */
        public Started {
            Objects.requireNonNull(run, "run");
        }
    }

    /**
     * The slot is done: the task must not run.
     *
     * @param previous the run that settled the slot (the latest one that counts)
     */
    record Done(ScheduledRun previous) implements SlotClaim {
        /**
         * Checks that the record is present.
         *
         * @param previous the run that settled the slot
         */
        public Done {
            Objects.requireNonNull(previous, "previous");
        }
    }
}
