package dev.lockwise.application;

import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.schedule.RunOutcome;
import dev.lockwise.domain.schedule.ScheduledRun;
import dev.lockwise.domain.schedule.ScheduledRunLog;
import dev.lockwise.domain.schedule.SlotClaim;
import dev.lockwise.domain.schedule.SlotResult;
import dev.lockwise.domain.schedule.SlotSchedule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Once per slot, on a lease table and a run log in memory: one slot, whose runs the log remembers. */
class RunOncePerSlotTest {
    private static final Instant SLOT_START = Instant.parse("2026-11-25T00:00:00Z");
    private static final LockId JOB = new LockId("nightly");
    private static final LeaseTerms TERMS = LeaseTerms.tryOnce(Duration.ofSeconds(5));

    /** One slot's runs; the last one decides whether the slot is done. */
    static class MemoryRunLog implements ScheduledRunLog {
        final List<ScheduledRun> runs = new ArrayList<>();

        @Override
        public synchronized SlotClaim begin(Lease lease, SlotSchedule schedule, String holder) {
            if (!runs.isEmpty()) {
                ScheduledRun last = runs.get(runs.size() - 1);
                if (!(schedule.retryFailed() && last.outcome() == RunOutcome.FAILED)) {
                    return new SlotClaim.Done(last);
                }
            }
            ScheduledRun run = new ScheduledRun(lease.lockId(), SLOT_START, SLOT_START.plus(schedule.period()),
                    lease.generation(), holder, SLOT_START, null, RunOutcome.RUNNING, null);
            runs.add(run);
            return new SlotClaim.Started(run);
        }

        @Override
        public synchronized ScheduledRun end(Lease lease, ScheduledRun run, RunOutcome outcome, Integer exitCode) {
            ScheduledRun ended = new ScheduledRun(run.lockId(), run.slotStart(), run.slotEnd(), run.generation(),
                    run.holder(), run.startedAt(), SLOT_START.plusSeconds(1), outcome, exitCode);
            runs.set(runs.indexOf(run), ended);
            return ended;
        }

        @Override
        public synchronized List<ScheduledRun> recent(LockId lockId, int limit) {
            List<ScheduledRun> newestFirst = new ArrayList<>(runs.subList(Math.max(0, runs.size() - limit), runs.size()));
            java.util.Collections.reverse(newestFirst);
            return newestFirst;
        }
    }

    private final RunExclusive runExclusive = new RunExclusive(new RunExclusiveTest.MemoryLeaseTable(),
            LockwiseEvents.NONE);
    private final MemoryRunLog log = new MemoryRunLog();
    private final RunOncePerSlot once = new RunOncePerSlot(runExclusive, log, "worker-1");

    @AfterEach
    void close() {
        runExclusive.close();
    }

    @Test
    void theFirstCallerRunsTheJobAndTheNextIsToldWhoRanIt() throws Exception {
        SlotResult<String> first = once.runOncePer(JOB, Duration.ofHours(1), TERMS, lease -> "done");
        assertThat(first).isInstanceOfSatisfying(SlotResult.Ran.class, ran -> {
            assertThat(ran.value()).isEqualTo("done");
            assertThat(ran.run().outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(ran.run().holder()).isEqualTo("worker-1");
        });
        SlotResult<String> second = once.runOncePer(JOB, Duration.ofHours(1), TERMS, lease -> {
            throw new AssertionError("must not run twice in a slot");
        });
        assertThat(second).isInstanceOfSatisfying(SlotResult.AlreadyDone.class,
                done -> assertThat(done.previous().outcome()).isEqualTo(RunOutcome.SUCCEEDED));
        assertThat(once.runs(JOB, 5)).hasSize(1);
        assertThat(once.holder()).isEqualTo("worker-1");
    }

    @Test
    void aFailedTaskIsRecordedAsFailedAndRethrownAndUsesUpTheSlotUnlessRetryingIsChosen() throws Exception {
        assertThatThrownBy(() -> once.runOncePer(JOB, Duration.ofHours(1), TERMS, lease -> {
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");
        assertThat(log.runs).singleElement().extracting(ScheduledRun::outcome).isEqualTo(RunOutcome.FAILED);
        assertThat(once.runOncePer(JOB, Duration.ofHours(1), TERMS, lease -> "again"))
                .isInstanceOf(SlotResult.AlreadyDone.class);
        SlotSchedule retrying = SlotSchedule.every(Duration.ofHours(1)).retryingFailedRuns(true);
        assertThat(once.runOncePer(JOB, retrying, TERMS, lease -> "retried")).isInstanceOf(SlotResult.Ran.class);
        assertThat(once.runs(JOB, 1)).singleElement().extracting(ScheduledRun::outcome)
                .isEqualTo(RunOutcome.SUCCEEDED);
    }

    @Test
    void anExitStatusOtherThanZeroIsAFailedRunThatStillReturnsItsValue() throws Exception {
        SlotSchedule hourly = SlotSchedule.every(Duration.ofHours(1)).retryingFailedRuns(true);
        SlotResult<Integer> failed = once.runOncePer(JOB, hourly, TERMS, lease -> 3, status -> status);
        assertThat(failed).isInstanceOfSatisfying(SlotResult.Ran.class, ran -> {
            assertThat(ran.value()).isEqualTo(3);
            assertThat(ran.run().outcome()).isEqualTo(RunOutcome.FAILED);
            assertThat(ran.run().exitCode()).isEqualTo(3);
        });
        SlotResult<Integer> succeeded = once.runOncePer(JOB, hourly, TERMS, lease -> 0, status -> status);
        assertThat(succeeded).isInstanceOfSatisfying(SlotResult.Ran.class, ran -> {
            assertThat(ran.run().outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(ran.run().exitCode()).isZero();
        });
    }

    @Test
    void aFailureToRecordTheFailureIsKeptWithTheTasksOwnException() {
        MemoryRunLog broken = new MemoryRunLog() {
            @Override
            public ScheduledRun end(Lease lease, ScheduledRun run, RunOutcome outcome, Integer exitCode) {
                throw new IllegalStateException("log unreachable");
            }
        };
        RunOncePerSlot onBrokenLog = new RunOncePerSlot(runExclusive, broken, "worker-2");
        assertThatThrownBy(() -> onBrokenLog.runOncePer(JOB, Duration.ofHours(1), TERMS, lease -> {
            throw new IOException("task failed");
        })).isInstanceOf(IOException.class).hasMessage("task failed")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .extracting(Throwable::getMessage).isEqualTo("log unreachable"));
    }

    @Test
    void missingPartsAndBadHolderNamesAreRefused() {
        assertThatThrownBy(() -> once.runOncePer(null, Duration.ofHours(1), TERMS, lease -> "x"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("run once per slot needs a lock id, a schedule, terms and a task");
        assertThatThrownBy(() -> once.runOncePer(JOB, SlotSchedule.every(Duration.ofHours(1)), null, lease -> "x"))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> once.runOncePer(JOB, (SlotSchedule) null, TERMS, lease -> "x"))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> once.runOncePer(JOB, SlotSchedule.every(Duration.ofHours(1)), TERMS, null))
                .isInstanceOf(InvalidInputException.class);
        assertThat(log.runs).isEmpty();
        for (String bad : new String[] {null, " ", "x".repeat(201)}) {
            assertThatThrownBy(() -> new RunOncePerSlot(runExclusive, log, bad))
                    .isInstanceOf(InvalidInputException.class).hasMessage("a holder name must be 1 to 200 characters");
        }
        assertThat(new RunOncePerSlot(runExclusive, log, "x".repeat(200)).holder()).hasSize(200);
    }

    @Test
    void theDefaultHolderIsPidAtHostAndFitsTheColumn() {
        String holder = RunOncePerSlot.defaultHolder();
        assertThat(holder).startsWith(ProcessHandle.current().pid() + "@").hasSizeBetween(3, 200);
        assertThat(holder.substring(holder.indexOf('@') + 1)).isNotBlank();
    }
}
