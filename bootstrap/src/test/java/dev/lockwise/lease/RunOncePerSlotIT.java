package dev.lockwise.lease;

import dev.lockwise.adapter.lock.JdbcLeaseLock;
import dev.lockwise.adapter.lock.JdbcScheduledRunLog;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.RunOncePerSlot;
import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.lease.LockUnavailableException;
import dev.lockwise.domain.schedule.RunOutcome;
import dev.lockwise.domain.schedule.ScheduledRun;
import dev.lockwise.domain.schedule.SlotClaim;
import dev.lockwise.domain.schedule.SlotResult;
import dev.lockwise.domain.schedule.SlotSchedule;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Once per slot and hold-at-least against a real PostgreSQL, slots and expiries judged by the database clock.
 */
class RunOncePerSlotIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(24);

    private static final String HOLDER = "test-holder";
    private static final Duration BOUND = Duration.ofSeconds(2);
    private final LockId lockId = new LockId("nightly");
    private JdbcLeaseLock lock;
    private JdbcScheduledRunLog log;
    private RunExclusive runExclusive;
    private RunOncePerSlot oncePerSlot;

    @BeforeEach
    void setUp() {
        DB.truncateAll();
        lock = new JdbcLeaseLock(DB.dataSource(), LeaseTable.DEFAULT);
        log = new JdbcScheduledRunLog(DB.dataSource(), LeaseTable.DEFAULT, Duration.ofSeconds(5));
        runExclusive = new RunExclusive(lock, new CountingEvents());
        oncePerSlot = new RunOncePerSlot(runExclusive, log, HOLDER);
    }

    @AfterEach
    void tearDown() {
        runExclusive.close();
        lock.close();
    }

    /** The database's time now, in epoch milliseconds. */
    private static long databaseMillis() {
        return ((Number) DB.queryValue("SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint"))
                .longValue();
    }

    /** An offset that puts the database's now in the middle of a slot of {@code period}. */
    private static Duration midSlotOffset(Duration period) {
        long millis = period.toMillis();
        return Duration.ofMillis(Math.floorMod(databaseMillis() - millis / 2, millis));
    }

    /** Waits until the database clock is between {@code from} and {@code to} milliseconds into a slot of {@code period}. */
    private static void awaitSlotPhase(Duration period, long from, long to) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long phase = Math.floorMod(databaseMillis(), period.toMillis());
            if (phase >= from && phase <= to) {
                return;
            }
            assertThat(System.nanoTime()).as("waiting for the slot phase").isLessThan(deadline);
            Thread.sleep(Math.max(1, Math.min(50, Math.floorMod(from - phase, period.toMillis()))));
        }
    }

    private static void awaitDatabaseTime(Instant instant) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Boolean) DB.queryValue("SELECT clock_timestamp() >= ?", instant.atOffset(ZoneOffset.UTC))) {
            assertThat(System.nanoTime()).as("waiting for the database clock to reach " + instant).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The lease row's expiry, to the microsecond PostgreSQL keeps. */
    private static Instant leaseExpiry(LockId lockId) {
        long micros = ((Number) DB.queryValue("SELECT (extract(epoch FROM expires_at) * 1000000)::bigint"
                + " FROM lockwise_lease WHERE lock_id = ?", lockId.value())).longValue();
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    @Test
    void sixteenThreadsRacingForOneSlotRunTheTaskOnceAndTheOthersAreToldWhoRanIt() throws Exception {
        SlotSchedule schedule = SlotSchedule.every(Duration.ofHours(1)).withOffset(midSlotOffset(Duration.ofHours(1)));
        LeaseTerms terms = new LeaseTerms(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(60));
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<SlotResult<Integer>>> results = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            results.add(pool.submit(() -> {
                start.await();
                return oncePerSlot.runOncePer(lockId, schedule, terms, lease -> {
                    Thread.sleep(200);
                    return ran.incrementAndGet();
                });
            }));
        }
        start.countDown();
        List<ScheduledRun> told = new ArrayList<>();
        ScheduledRun winner = null;
        for (Future<SlotResult<Integer>> result : results) {
            SlotResult<Integer> outcome = result.get(2, TimeUnit.MINUTES);
            if (outcome instanceof SlotResult.Ran<Integer> r) {
                assertThat(winner).as("a second caller ran the task").isNull();
                winner = r.run();
            } else {
                told.add(((SlotResult.AlreadyDone<Integer>) outcome).previous());
            }
        }
        pool.shutdown();
        assertThat(ran).hasValue(1);
        assertThat(winner).isNotNull();
        ScheduledRun won = winner;
        assertThat(winner.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(winner.holder()).isEqualTo(HOLDER);
        assertThat(told).hasSize(15).allSatisfy(previous -> {
            assertThat(previous.generation()).isEqualTo(won.generation());
            assertThat(previous.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        });
        assertThat(DB.queryValue("SELECT count(*) FROM scheduled_run")).isEqualTo(1L);
        assertThat(oncePerSlot.runs(lockId, 10)).containsExactly(winner);
    }

    @Test
    void runsOnEitherSideOfASlotBoundaryBothHappenAndTheSameSlotTwiceDoesNot() throws Exception {
        Duration period = Duration.ofSeconds(2);
        LeaseTerms terms = LeaseTerms.tryOnce(Duration.ofSeconds(1));
        awaitSlotPhase(period, 100, 700);
        SlotResult<String> first = oncePerSlot.runOncePer(lockId, period, terms, lease -> "first");
        SlotResult<String> again = oncePerSlot.runOncePer(lockId, period, terms, lease -> "again");
        assertThat(first).isInstanceOf(SlotResult.Ran.class);
        ScheduledRun firstRun = ((SlotResult.Ran<String>) first).run();
        assertThat(again).isEqualTo(new SlotResult.AlreadyDone<String>(firstRun));
        assertThat(Duration.between(firstRun.slotStart(), firstRun.slotEnd())).isEqualTo(period);
        assertThat(firstRun.slotStart().toEpochMilli() % period.toMillis()).isZero();

        awaitDatabaseTime(firstRun.slotEnd());
        SlotResult<String> next = oncePerSlot.runOncePer(lockId, period, terms, lease -> "next");
        assertThat(next).isInstanceOf(SlotResult.Ran.class);
        assertThat(((SlotResult.Ran<String>) next).value()).isEqualTo("next");
        assertThat(((SlotResult.Ran<String>) next).run().slotStart()).isAfterOrEqualTo(firstRun.slotEnd());
        assertThat(DB.queryValue("SELECT count(DISTINCT slot_start) FROM scheduled_run")).isEqualTo(2L);
        assertThat(DB.queryValue("SELECT count(*) FROM scheduled_run")).isEqualTo(2L);
    }

    @Test
    void anOffsetShiftsTheSlotsAndTheSlotContainsTheDatabaseNow() {
        SlotSchedule daily = SlotSchedule.every(Duration.ofDays(1)).withOffset(Duration.ofHours(2));
        long before = databaseMillis();
        SlotResult<String> result = oncePerSlot.runOncePer(lockId, daily, LeaseTerms.tryOnce(Duration.ofSeconds(3)),
                lease -> "done");
        long after = databaseMillis();
        ScheduledRun run = ((SlotResult.Ran<String>) result).run();
        assertThat(LocalTime.ofInstant(run.slotStart(), ZoneOffset.UTC)).isEqualTo(LocalTime.of(2, 0));
        assertThat(Duration.between(run.slotStart(), run.slotEnd())).isEqualTo(Duration.ofDays(1));
        assertThat(run.slotStart().toEpochMilli()).isLessThanOrEqualTo(before);
        assertThat(run.slotEnd().toEpochMilli()).isGreaterThan(after);
        assertThat(run.startedAt()).isBetween(Instant.ofEpochMilli(before), Instant.ofEpochMilli(after + 1));
    }

    @Test
    void aFailedRunUsesUpTheSlotUnlessFailedRunsMayBeRetried() {
        SlotSchedule hourly = SlotSchedule.every(Duration.ofHours(1)).withOffset(midSlotOffset(Duration.ofHours(1)));
        LeaseTerms terms = LeaseTerms.tryOnce(Duration.ofSeconds(3));
        assertThatThrownBy(() -> oncePerSlot.runOncePer(lockId, hourly, terms, lease -> {
            throw new IllegalStateException("the job broke");
        })).isInstanceOf(IllegalStateException.class).hasMessage("the job broke");

        AtomicInteger ran = new AtomicInteger();
        SlotResult<Integer> notAgain = oncePerSlot.runOncePer(lockId, hourly, terms, lease -> ran.incrementAndGet());
        assertThat(ran).hasValue(0);
        ScheduledRun failed = ((SlotResult.AlreadyDone<Integer>) notAgain).previous();
        assertThat(failed.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(failed.endedAt()).isNotNull();

        SlotSchedule retrying = hourly.retryingFailedRuns(true);
        SlotResult<Integer> retried = oncePerSlot.runOncePer(lockId, retrying, terms, lease -> ran.incrementAndGet());
        assertThat(ran).hasValue(1);
        assertThat(((SlotResult.Ran<Integer>) retried).run().outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        // Once a run succeeded, the slot is done even for callers that retry failed runs.
        assertThat(oncePerSlot.runOncePer(lockId, retrying, terms, lease -> ran.incrementAndGet()))
                .isInstanceOf(SlotResult.AlreadyDone.class);
        assertThat(ran).hasValue(1);
        assertThat(oncePerSlot.runs(lockId, 10)).extracting(ScheduledRun::outcome)
                .containsExactly(RunOutcome.SUCCEEDED, RunOutcome.FAILED);
    }

    @Test
    void aNonZeroExitStatusIsRecordedAsAFailureWithTheStatus() {
        SlotSchedule hourly = SlotSchedule.every(Duration.ofHours(1)).withOffset(midSlotOffset(Duration.ofHours(1)));
        LeaseTerms terms = LeaseTerms.tryOnce(Duration.ofSeconds(3));
        SlotResult<Integer> result = oncePerSlot.runOncePer(lockId, hourly, terms, lease -> 3, Integer::intValue);
        ScheduledRun run = ((SlotResult.Ran<Integer>) result).run();
        assertThat(run.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(DB.queryValue("SELECT exit_code FROM scheduled_run")).isEqualTo(3);
    }

    @Test
    void aHolderThatDiedMidRunLeavesAnAbandonedRunThatEndsTheSlotUnlessRetryingIsChosen() throws Exception {
        SlotSchedule hourly = SlotSchedule.every(Duration.ofHours(1)).withOffset(midSlotOffset(Duration.ofHours(1)));
        // A holder that starts its run and dies: the lease is never renewed, the run never ended.
        Lease dead = lock.tryAcquire(lockId, Duration.ofMillis(500), BOUND).orElseThrow();
        SlotClaim claim = log.begin(dead, hourly, "dead-holder");
        assertThat(claim).isInstanceOf(SlotClaim.Started.class);
        awaitDatabaseTime(dead.expiresAt());
        assertThat(oncePerSlot.runs(lockId, 1)).extracting(ScheduledRun::outcome).containsExactly(RunOutcome.ABANDONED);

        LeaseTerms terms = LeaseTerms.tryOnce(Duration.ofSeconds(3));
        AtomicInteger ran = new AtomicInteger();
        SlotResult<Integer> notRetried = oncePerSlot.runOncePer(lockId, hourly, terms, lease -> ran.incrementAndGet());
        ScheduledRun abandoned = ((SlotResult.AlreadyDone<Integer>) notRetried).previous();
        assertThat(abandoned.holder()).isEqualTo("dead-holder");
        assertThat(abandoned.outcome()).isEqualTo(RunOutcome.ABANDONED);
        assertThat(ran).hasValue(0);
        assertThat(DB.queryValue("SELECT outcome FROM scheduled_run WHERE holder = 'dead-holder'"))
                .isEqualTo("abandoned");

        SlotResult<Integer> retried = oncePerSlot.runOncePer(lockId, hourly.retryingFailedRuns(true), terms,
                lease -> ran.incrementAndGet());
        assertThat(retried).isInstanceOf(SlotResult.Ran.class);
        assertThat(ran).hasValue(1);
    }

    @Test
    void aHolderWhoseLeaseIsGoneCannotStartOrEndARun() throws Exception {
        SlotSchedule hourly = SlotSchedule.every(Duration.ofHours(1)).withOffset(midSlotOffset(Duration.ofHours(1)));
        Lease first = lock.tryAcquire(lockId, Duration.ofMillis(300), BOUND).orElseThrow();
        ScheduledRun run = ((SlotClaim.Started) log.begin(first, hourly, "first")).run();
        awaitDatabaseTime(first.expiresAt());
        assertThatThrownBy(() -> log.end(first, run, RunOutcome.SUCCEEDED, 0)).isInstanceOf(LeaseLostException.class);
        assertThatThrownBy(() -> log.begin(first, hourly.retryingFailedRuns(true), "first"))
                .isInstanceOf(LeaseLostException.class);
        assertThat(DB.queryValue("SELECT count(*) FROM scheduled_run")).isEqualTo(1L);
        assertThat(DB.queryValue("SELECT outcome FROM scheduled_run")).isEqualTo("running");
    }

    @Test
    void holdAtLeastLeavesTheLeaseUntilAcquisitionPlusTheHoldByTheDatabaseClock() throws Exception {
        Duration ttl = Duration.ofSeconds(4);
        LeaseTerms terms = LeaseTerms.tryOnce(ttl).holdingAtLeast(Duration.ofSeconds(2));
        Lease held = runExclusive.run(lockId, terms, lease -> lease);
        Instant acquired = held.expiresAt().minus(ttl);
        assertThat(leaseExpiry(lockId)).isEqualTo(acquired.plusSeconds(2));
        assertThat(lock.tryAcquire(lockId, ttl, BOUND)).as("held until the hold ends").isEmpty();
        assertThatThrownBy(() -> runExclusive.run(lockId, terms, lease -> lease))
                .isInstanceOf(LockUnavailableException.class);
        awaitDatabaseTime(acquired.plusSeconds(2));
        assertThat(lock.tryAcquire(lockId, ttl, BOUND)).as("free once the hold ended").isPresent();
    }

    @Test
    void aTaskThatOutlastsTheHoldReleasesAtOnce() throws Exception {
        LeaseTerms terms = new LeaseTerms(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ZERO)
                .holdingAtLeast(Duration.ofMillis(300));
        runExclusive.run(lockId, terms, lease -> {
            Thread.sleep(800);
            return null;
        });
        assertThat((Boolean) DB.queryValue("SELECT expires_at <= clock_timestamp() FROM lockwise_lease")).isTrue();
        assertThat(lock.tryAcquire(lockId, Duration.ofSeconds(2), BOUND)).isPresent();
    }

    @Test
    void aHoldLongerThanTheTtlOrNegativeIsRefused() {
        LeaseTerms terms = LeaseTerms.tryOnce(Duration.ofSeconds(3));
        assertThatThrownBy(() -> terms.holdingAtLeast(Duration.ofSeconds(4)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> terms.holdingAtLeast(Duration.ofSeconds(-1)))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> SlotSchedule.every(Duration.ofMillis(500))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> SlotSchedule.every(Duration.ofHours(1)).withOffset(Duration.ofHours(1)))
                .isInstanceOf(InvalidInputException.class);
    }
}
