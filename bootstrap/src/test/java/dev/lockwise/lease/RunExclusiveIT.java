package dev.lockwise.lease;

import dev.lockwise.adapter.lock.FencedJdbcVerFactProcessor;
import dev.lockwise.adapter.lock.JdbcLeaseLock;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.domain.DatabaseUnavailableException;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLock;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.lease.LockUnavailableException;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunExclusiveIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(24);

    private static final Duration BOUND = Duration.ofSeconds(2);
    private final CountingEvents events = new CountingEvents();
    private final LockId lockId = new LockId("exclusive-job");
    private JdbcLeaseLock lock;
    private RunExclusive runExclusive;

    @BeforeEach
    void setUp() {
        DB.truncateAll();
        lock = new JdbcLeaseLock(DB.dataSource(), LeaseTable.DEFAULT);
        runExclusive = new RunExclusive(lock, events);
    }

    @AfterEach
    void tearDown() {
        runExclusive.close();
        lock.close();
    }

    @Test
    void sixteenThreadsTimesTwoHundredAcquisitionsNeverOverlapAndGenerationsStrictlyIncrease() throws Exception {
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        List<Long> generations = Collections.synchronizedList(new ArrayList<>());
        LeaseTerms terms = new LeaseTerms(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofMinutes(2));

        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    runExclusive.run(lockId, terms, lease -> {
                        int now = holders.incrementAndGet();
                        maxHolders.accumulateAndGet(now, Math::max);
                        generations.add(lease.generation());
                        Thread.onSpinWait();
                        holders.decrementAndGet();
                        return null;
                    });
                }
                return null;
            }));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
        for (Future<?> future : futures) {
            future.get();
        }

        assertThat(maxHolders).as("never two holders at once").hasValue(1);
        assertThat(generations).hasSize(3200);
        for (int i = 1; i < generations.size(); i++) {
            assertThat(generations.get(i)).as("generation %d", i).isGreaterThan(generations.get(i - 1));
        }
        assertThat(events.count("lease.acquired")).isEqualTo(3200);
        assertThat(events.count("lease.released")).isEqualTo(3200);
    }

    @Test
    void tryOnceFailsFastWhileAnotherHolderHasTheLease() {
        Lease other = lock.tryAcquire(lockId, Duration.ofMinutes(1), BOUND).orElseThrow();
        AtomicBoolean ran = new AtomicBoolean();
        long started = System.nanoTime();
        assertThatThrownBy(() -> runExclusive.run(lockId, LeaseTerms.tryOnce(Duration.ofSeconds(10)), lease -> {
            ran.set(true);
            return null;
        })).isInstanceOf(LockUnavailableException.class).hasMessageContaining("exclusive-job");
        assertThat(ran).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(lock.release(other, BOUND)).isTrue();
    }

    @Test
    void waitingAcquiresSoonAfterTheHolderReleases() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        AtomicReference<Long> releasedAt = new AtomicReference<>();
        CompletableFuture<Object> holder = CompletableFuture.supplyAsync(unchecked(() -> runExclusive.run(lockId,
                LeaseTerms.tryOnce(Duration.ofSeconds(10)), lease -> {
                    holding.countDown();
                    Thread.sleep(500);
                    releasedAt.set(System.nanoTime());
                    return null;
                })));
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        long[] acquiredAt = new long[1];
        long generation = runExclusive.run(lockId, LeaseTerms.tryOnce(Duration.ofSeconds(10))
                .waitingUpTo(Duration.ofSeconds(10)), lease -> {
            acquiredAt[0] = System.nanoTime();
            return lease.generation();
        });
        holder.get(10, TimeUnit.SECONDS);
        assertThat(generation).isEqualTo(2);
        assertThat(Duration.ofNanos(acquiredAt[0] - releasedAt.get())).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void waitingGivesUpWithLockUnavailableAfterTheWait() {
        lock.tryAcquire(lockId, Duration.ofMinutes(1), BOUND).orElseThrow();
        long started = System.nanoTime();
        assertThatThrownBy(() -> runExclusive.run(lockId, LeaseTerms.tryOnce(Duration.ofSeconds(10))
                .waitingUpTo(Duration.ofMillis(400)), lease -> null))
                .isInstanceOf(LockUnavailableException.class).hasMessageContaining("400ms");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isBetween(Duration.ofMillis(400), Duration.ofSeconds(3));
    }

    @Test
    void aLongTaskIsRenewedSeveralTimesUnderTheSameGeneration() throws Exception {
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(600), Duration.ofMillis(150), Duration.ZERO);
        long generation = runExclusive.run(lockId, terms, lease -> {
            Thread.sleep(1_500);
            Object stored = DB.queryValue("SELECT generation FROM lockwise_lease WHERE lock_id = ?", lockId.value());
            assertThat(stored).isEqualTo(lease.generation());
            return lease.generation();
        });
        assertThat(generation).isEqualTo(1);
        assertThat(events.count("lease.renewed")).isGreaterThanOrEqualTo(5);
        assertThat(events.count("lease.lost")).isZero();
    }

    @Test
    void releaseIsImmediateAndTheTasksOwnExceptionPropagatesUnchanged() {
        IOException failure = new IOException("disk full");
        assertThatThrownBy(() -> runExclusive.run(lockId, LeaseTerms.tryOnce(Duration.ofMinutes(5)), lease -> {
            throw failure;
        })).isSameAs(failure);
        assertThat(lock.tryAcquire(lockId, Duration.ofSeconds(5), BOUND)).as("free at once, not after 5 minutes").isPresent();
    }

    /** How the holders below process pending facts under the lease. */
    @FunctionalInterface
    interface PendingFacts {
        int processPending(Lease lease, int limit);
    }

    @Test
    void aPausedHolderIsInterruptedLosesTheLeaseAndItsFencedWriteIsRefused() throws Exception {
        FencedJdbcVerFactProcessor fenced = new FencedJdbcVerFactProcessor(DB.dataSource(), LeaseTable.DEFAULT);
        assertPausedHolderRefused(pausedHolderAndSuccessor(fenced::processPending));
    }

    /**
     * The check above can fail: with the same pause, a processor that writes without the fence (its lease is only in
     * the JVM) has its stale write accepted, and the successor finds the work done by a holder that no longer held it.
     */
    @Test
    void theSameCheckFailsAProcessorThatWritesWithoutTheFence() throws Exception {
        PausedOutcome outcome = pausedHolderAndSuccessor((lease, limit) -> DB.execute("UPDATE verfact"
                + " SET processed = true, state = 'P', version = version + 1 WHERE id IN (SELECT id FROM verfact"
                + " WHERE NOT processed ORDER BY id LIMIT ?)", limit));
        assertThatThrownBy(() -> assertPausedHolderRefused(outcome)).isInstanceOf(AssertionError.class);
        assertThat(outcome.pausedWrite()).as("the stale write was accepted").isNull();
    }

    private record PausedOutcome(Throwable pausedResult, boolean interrupted, Throwable pausedWrite,
                                 int successorProcessed, long processedOnce, long leasesLost) {
    }

    private static void assertPausedHolderRefused(PausedOutcome outcome) {
        assertThat(outcome.pausedResult()).hasCauseInstanceOf(LeaseLostException.class);
        assertThat(outcome.interrupted()).as("the task's thread was interrupted").isTrue();
        assertThat(outcome.pausedWrite()).isInstanceOf(LeaseLostException.class);
        assertThat(outcome.successorProcessed()).isEqualTo(5);
        assertThat(outcome.processedOnce()).isEqualTo(6L);
        assertThat(outcome.leasesLost()).isEqualTo(1);
    }

    /**
     * A holder processes one of six facts, then stops reaching the database (its renewals fail) and sleeps past its
     * ttl; a successor takes the lease over and, while it holds it, the paused holder tries to process the rest.
     */
    private PausedOutcome pausedHolderAndSuccessor(PendingFacts processor) throws Exception {
        for (int i = 0; i < 6; i++) {
            DB.execute("INSERT INTO verfact DEFAULT VALUES");
        }
        PausableLock pausable = new PausableLock(lock);
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(400), Duration.ofMillis(100), Duration.ZERO);
        CountDownLatch successorHolds = new CountDownLatch(1);
        AtomicReference<Throwable> pausedWrite = new AtomicReference<>();
        AtomicBoolean interrupted = new AtomicBoolean();

        try (RunExclusive pausedRunner = new RunExclusive(pausable, events)) {
            CompletableFuture<Object> paused = CompletableFuture.supplyAsync(unchecked(() -> pausedRunner.run(lockId, terms, lease -> {
                processor.processPending(lease, 1);
                pausable.paused.set(true); // renewals stop reaching the database from here on
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
                successorHolds.await(10, TimeUnit.SECONDS);
                try {
                    processor.processPending(lease, 10);
                } catch (RuntimeException refused) {
                    pausedWrite.set(refused);
                }
                return null;
            })));

            Thread.sleep(600);
            int successorProcessed = runExclusive.run(lockId, terms, lease -> {
                assertThat(lease.generation()).isEqualTo(2);
                successorHolds.countDown();
                Thread.sleep(200); // let the paused holder try its write while we hold the lease
                return processor.processPending(lease, 10);
            });
            Throwable pausedResult = null;
            try {
                paused.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                pausedResult = e;
            }
            return new PausedOutcome(pausedResult, interrupted.get(), pausedWrite.get(), successorProcessed,
                    (Long) DB.queryValue("SELECT count(*) FROM verfact WHERE processed AND version = 2"),
                    events.count("lease.lost"));
        }
    }

    @Test
    void aTaskThatFinishesAfterItsLeaseWasTakenOverStillGetsLeaseLost() {
        PausableLock pausable = new PausableLock(lock);
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(300), Duration.ofMillis(100), Duration.ZERO);
        try (RunExclusive runner = new RunExclusive(pausable, events)) {
            assertThatThrownBy(() -> runner.run(lockId, terms, lease -> {
                pausable.paused.set(true);
                long until = System.nanoTime() + Duration.ofMillis(600).toNanos();
                while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // ignores interrupts on purpose, like a busy task would
                }
                return "done";
            })).isInstanceOf(LeaseLostException.class).hasMessageContaining("generation 1");
        }
    }

    @Test
    void aRenewalThatFailsTransientlyIsRetriedAndTheLeaseSurvives() throws Exception {
        FlakyLock flaky = new FlakyLock(lock, 2);
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(1_000), Duration.ofMillis(200), Duration.ZERO);
        try (RunExclusive runner = new RunExclusive(flaky, events)) {
            String result = runner.run(lockId, terms, lease -> {
                Thread.sleep(1_200);
                return "ok";
            });
            assertThat(result).isEqualTo("ok");
            assertThat(flaky.failures).hasValue(2);
            assertThat(events.count("lease.lost")).isZero();
        }
    }

    @Test
    void badParametersAreRefusedBeforeAnySql() {
        LeaseLock neverCalled = new LeaseLock() {
            @Override
            public Optional<Lease> tryAcquire(LockId id, Duration ttl, Duration timeout) {
                throw new AssertionError("no SQL expected");
            }

            @Override
            public Optional<Lease> renew(Lease lease, Duration ttl, Duration timeout) {
                throw new AssertionError("no SQL expected");
            }

            @Override
            public boolean release(Lease lease, Duration timeout) {
                throw new AssertionError("no SQL expected");
            }
        };
        try (RunExclusive runner = new RunExclusive(neverCalled, events)) {
            LeaseTerms terms = LeaseTerms.tryOnce(Duration.ofSeconds(3));
            assertThatThrownBy(() -> runner.run(lockId, terms, null)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> runner.run(null, terms, lease -> null)).isInstanceOf(InvalidInputException.class);
        }
        assertThatThrownBy(() -> new LockId("  ")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new LockId("x".repeat(10_000))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at most 200");
        assertThatThrownBy(() -> LeaseTerms.tryOnce(Duration.ZERO)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> LeaseTerms.tryOnce(Duration.ofSeconds(-1))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> LeaseTerms.tryOnce(Duration.ofDays(400))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new LeaseTerms(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ZERO))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("shorter than the ttl");
        assertThat(DB.queryValue("SELECT count(*) FROM lockwise_lease")).isEqualTo(0L);
    }

    @Test
    void unusualUnicodeLockIdsWorkAsTheyAre() throws Exception {
        LockId unicode = new LockId("報告-🔒-Ωmega \u200d job");
        long generation = runExclusive.run(unicode, LeaseTerms.tryOnce(Duration.ofSeconds(5)), Lease::generation);
        assertThat(generation).isEqualTo(1);
        assertThat(DB.queryValue("SELECT lock_id FROM lockwise_lease")).isEqualTo(unicode.value());
    }

    static <T> Supplier<T> unchecked(Callable<T> work) {
        return () -> {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        };
    }

    /** A lease lock whose renewals stop reaching the database, as if the process were paused or partitioned. */
    static final class PausableLock implements LeaseLock {
        final LeaseLock delegate;
        final AtomicBoolean paused = new AtomicBoolean();

        PausableLock(LeaseLock delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Lease> tryAcquire(LockId id, Duration ttl, Duration timeout) {
            return delegate.tryAcquire(id, ttl, timeout);
        }

        @Override
        public Optional<Lease> renew(Lease lease, Duration ttl, Duration timeout) {
            if (paused.get()) {
                throw new DatabaseUnavailableException("paused", new IOException("no route"));
            }
            return delegate.renew(lease, ttl, timeout);
        }

        @Override
        public boolean release(Lease lease, Duration timeout) {
            return delegate.release(lease, timeout);
        }
    }

    /** Fails the first {@code failing} renewals, then behaves. */
    static final class FlakyLock implements LeaseLock {
        final LeaseLock delegate;
        final int failing;
        final AtomicInteger failures = new AtomicInteger();

        FlakyLock(LeaseLock delegate, int failing) {
            this.delegate = delegate;
            this.failing = failing;
        }

        @Override
        public Optional<Lease> tryAcquire(LockId id, Duration ttl, Duration timeout) {
            return delegate.tryAcquire(id, ttl, timeout);
        }

        @Override
        public Optional<Lease> renew(Lease lease, Duration ttl, Duration timeout) {
            if (failures.get() < failing) {
                failures.incrementAndGet();
                throw new DatabaseUnavailableException("flaky", new IOException("reset"));
            }
            return delegate.renew(lease, ttl, timeout);
        }

        @Override
        public boolean release(Lease lease, Duration timeout) {
            return delegate.release(lease, timeout);
        }
    }
}
