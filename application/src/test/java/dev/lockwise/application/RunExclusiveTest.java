package dev.lockwise.application;

import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.domain.DatabaseUnavailableException;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLock;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The holder's local deadline, without a database: a lease table kept in memory whose "database clock" is this
 * process's {@code nanoTime}, so that each test can compare the moment a task was stopped with the moment the table
 * would have handed the lease to someone else. The real table is covered by {@code RunExclusiveIT} and
 * {@code LeaseFaultsIT}; here the faults are ones a real adapter cannot be made to show on demand: a renewal that
 * never returns whatever its timeout says, an {@link Error} out of a renewal.
 */
class RunExclusiveTest {
    private final MemoryLeaseTable table = new MemoryLeaseTable();
    private final List<RunExclusive> runners = new ArrayList<>();

    @AfterEach
    void closeRunners() {
        runners.forEach(RunExclusive::close);
    }

    private RunExclusive runner(LeaseLock lock) {
        RunExclusive runner = new RunExclusive(lock, LockwiseEvents.NONE);
        runners.add(runner);
        return runner;
    }

    @Test
    void aRenewalThatNeverReturnsDoesNotKeepTheTaskAlivePastTheTablesExpiry() throws Exception {
        table.hangRenewals(id -> true);
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(800), Duration.ofMillis(200), Duration.ZERO,
                Duration.ofMillis(250));
        AtomicLong interruptedAt = new AtomicLong();
        RunExclusive runner = runner(table);

        assertThatThrownBy(() -> runner.run(new LockId("job"), terms, lease -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                interruptedAt.set(System.nanoTime());
                throw e;
            }
            return null;
        })).isInstanceOf(LeaseLostException.class).hasMessageContaining("no renewal succeeded");

        long expiry = table.expiryOf("job");
        assertThat(interruptedAt.get()).as("interrupted").isPositive();
        assertThat(expiry - interruptedAt.get()).as("interrupted before the table's expiry (ns ahead)").isPositive();
        assertThat(table.renewalsStarted()).as("renewal was attempted and hung").isPositive();
    }

    @Test
    void leasesWhoseRenewalsHangDoNotDelayTheRenewalsOrDeadlinesOfOthers() throws Exception {
        table.hangRenewals(id -> id.startsWith("stuck"));
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(600), Duration.ofMillis(100), Duration.ZERO);
        RunExclusive runner = runner(table);
        List<CompletableFuture<String>> runs = new ArrayList<>();
        CountDownLatch allHeld = new CountDownLatch(20);
        for (int i = 0; i < 20; i++) {
            String name = (i < 4 ? "stuck-" : "healthy-") + i;
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return runner.run(new LockId(name), terms, lease -> {
                        allHeld.countDown();
                        Thread.sleep(1_500);
                        return "done";
                    });
                } catch (LeaseLostException lost) {
                    return "lost";
                } catch (Exception e) {
                    return e.toString();
                }
            }, command -> new Thread(command).start()));
        }
        assertThat(allHeld.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 20; i++) {
            assertThat(runs.get(i).get(10, TimeUnit.SECONDS)).as("lease %d", i).isEqualTo(i < 4 ? "lost" : "done");
        }
    }

    @Test
    @Timeout(30)
    void anInterruptThatBlocksDoesNotStallTheDeadlinesAndRenewalsOfOtherLeases() throws Exception {
        // Interrupting a thread blocked in an interruptible channel makes the *interrupting* thread close that
        // channel, and on a hung file system the close never returns. Such a channel, made to order:
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch blockedInTheChannel = new CountDownLatch(1);
        java.nio.channels.spi.AbstractInterruptibleChannel hungFileSystem =
                new java.nio.channels.spi.AbstractInterruptibleChannel() {
                    @Override
                    protected void implCloseChannel() throws java.io.IOException {
                        try {
                            never.await();
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                    }

                    void read() {
                        begin();
                        try {
                            blockedInTheChannel.countDown();
                            while (never.getCount() > 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // ignores interrupts
                            }
                        } finally {
                            try {
                                end(true);
                            } catch (java.nio.channels.AsynchronousCloseException ignored) {
                                // closed under us, as expected
                            }
                        }
                    }
                };
        table.hangRenewals(id -> id.equals("stuck-in-io"));
        RunExclusive runner = runner(table);
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(600), Duration.ofMillis(100), Duration.ZERO);
        Thread stuck = new Thread(() -> {
            try {
                runner.run(new LockId("stuck-in-io"), terms, lease -> {
                    hungFileSystem.getClass().getDeclaredMethod("read").invoke(hungFileSystem);
                    return null;
                });
            } catch (Exception ignored) {
                // lost, eventually
            }
        });
        stuck.setDaemon(true);
        stuck.start();
        assertThat(blockedInTheChannel.await(5, TimeUnit.SECONDS)).isTrue();

        String healthy = runner.run(new LockId("healthy"), terms, lease -> {
            Thread.sleep(2_000); // the stuck lease's deadline passes (and its interrupt hangs) in here
            return "held throughout";
        });
        assertThat(healthy).isEqualTo("held throughout");
        never.countDown();
    }

    @Test
    void anErrorOutOfARenewalIsRetriedAndTheLeaseSurvives() throws Exception {
        AtomicInteger errors = new AtomicInteger();
        LeaseLock failingTwice = new ForwardingLock(table) {
            @Override
            public Optional<Lease> renew(Lease lease, Duration ttl, Duration timeout) {
                if (errors.getAndIncrement() < 2) {
                    throw new OutOfMemoryError("simulated");
                }
                return super.renew(lease, ttl, timeout);
            }
        };
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(600), Duration.ofMillis(100), Duration.ZERO);
        String result = runner(failingTwice).run(new LockId("job"), terms, lease -> {
            Thread.sleep(900);
            return "ok";
        });
        assertThat(result).isEqualTo("ok");
        assertThat(errors.get()).isGreaterThan(2);
    }

    @Test
    void aRenewalThatAlwaysThrowsAnErrorEndsInALossNotInSilence() {
        LeaseLock alwaysFailing = new ForwardingLock(table) {
            @Override
            public Optional<Lease> renew(Lease lease, Duration ttl, Duration timeout) {
                throw new StackOverflowError("simulated");
            }
        };
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(400), Duration.ofMillis(100), Duration.ZERO);
        assertThatThrownBy(() -> runner(alwaysFailing).run(new LockId("job"), terms, lease -> {
            Thread.sleep(5_000);
            return null;
        })).isInstanceOf(LeaseLostException.class).hasCauseInstanceOf(InterruptedException.class);
    }

    @Test
    void everyLeaseStatementIsGivenABoundNoLongerThanTheValidityLeft() throws Exception {
        List<Duration> bounds = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Duration> renewals = new java.util.concurrent.CopyOnWriteArrayList<>();
        LeaseLock recording = new ForwardingLock(table) {
            @Override
            public Optional<Lease> tryAcquire(LockId lockId, Duration ttl, Duration timeout) {
                bounds.add(timeout);
                return super.tryAcquire(lockId, ttl, timeout);
            }

            @Override
            public Optional<Lease> renew(Lease lease, Duration ttl, Duration timeout) {
                bounds.add(timeout);
                renewals.add(timeout);
                return super.renew(lease, ttl, timeout);
            }

            @Override
            public boolean release(Lease lease, Duration timeout) {
                bounds.add(timeout);
                return super.release(lease, timeout);
            }
        };
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(1_000), Duration.ofMillis(100), Duration.ZERO);
        runner(recording).run(new LockId("job"), terms, lease -> {
            Thread.sleep(500);
            return null;
        });
        assertThat(bounds).hasSizeGreaterThan(3);
        assertThat(bounds).allSatisfy(bound -> assertThat(bound).isPositive().isLessThanOrEqualTo(terms.validity()));
        assertThat(renewals).as("renewals: half of what is left").isNotEmpty()
                .allSatisfy(bound -> assertThat(bound).isLessThanOrEqualTo(terms.validity().dividedBy(2)));
    }

    @Test
    void remainingValidityCountsDownFromTheSentAcquisitionAndIsZeroOnceReleased() throws Exception {
        RunExclusive runner = runner(table);
        LeaseTerms terms = new LeaseTerms(Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ZERO);
        Lease[] held = new Lease[1];
        Duration inside = runner.run(new LockId("job"), terms, lease -> {
            held[0] = lease;
            return runner.remainingValidity(lease);
        });
        assertThat(inside).isPositive().isLessThanOrEqualTo(terms.validity());
        assertThat(runner.remainingValidity(held[0])).isZero();
    }

    @Test
    void closeInterruptsRunningTasksReleasesTheirLeasesAndRefusesNewRuns() throws Exception {
        RunExclusive runner = new RunExclusive(table, LockwiseEvents.NONE);
        LeaseTerms terms = new LeaseTerms(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ZERO);
        CountDownLatch started = new CountDownLatch(3);
        List<CompletableFuture<Throwable>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            LockId id = new LockId("job-" + i);
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    runner.run(id, terms, lease -> {
                        started.countDown();
                        Thread.sleep(60_000);
                        return null;
                    });
                    return null;
                } catch (Throwable e) {
                    return e;
                }
            }, command -> new Thread(command).start()));
        }
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        long before = System.nanoTime();
        runner.close();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).as("close waits for the releases, not the ttl")
                .isLessThan(Duration.ofSeconds(10));
        for (CompletableFuture<Throwable> run : runs) {
            assertThat(run.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        }
        assertThat(table.heldNow()).as("every lease released").isEmpty();
        assertThatThrownBy(() -> runner.run(new LockId("late"), terms, lease -> null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void closeWaitsNoLongerThanTheValidityForATaskThatIgnoresTheInterrupt() throws Exception {
        RunExclusive runner = new RunExclusive(table, LockwiseEvents.NONE);
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(600), Duration.ofMillis(150), Duration.ZERO);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Throwable> run = CompletableFuture.supplyAsync(() -> {
            try {
                runner.run(new LockId("stubborn"), terms, lease -> {
                    started.countDown();
                    long until = System.nanoTime() + Duration.ofMillis(1_500).toNanos();
                    while (System.nanoTime() - until < 0) {
                        Thread.onSpinWait(); // ignores interrupts
                    }
                    return null;
                });
                return null;
            } catch (Throwable e) {
                return e;
            }
        }, command -> new Thread(command).start());
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        long before = System.nanoTime();
        runner.close();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofMillis(1_200));
        assertThat(run.get(5, TimeUnit.SECONDS)).isInstanceOf(LeaseLostException.class);
    }

    @Test
    void marginAndRenewalAreValidatedAgainstTheTtl() {
        assertThatThrownBy(() -> new LeaseTerms(Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ZERO,
                Duration.ofSeconds(1))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("renew interval (3s) plus safety margin (1s) must be shorter than the ttl (4s)");
        assertThatThrownBy(() -> LeaseTerms.tryOnce(Duration.ofSeconds(4)).withMargin(Duration.ZERO))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("margin must be at least 10ms, got 0ms");
        assertThat(LeaseTerms.tryOnce(Duration.ofSeconds(30)).margin()).isEqualTo(Duration.ofSeconds(3));
        assertThat(LeaseTerms.tryOnce(Duration.ofMillis(100)).margin()).isEqualTo(Duration.ofMillis(20));
    }

    /** A lease table in memory; its clock is {@code nanoTime}. Renewals of chosen ids can be made to hang for good. */
    static final class MemoryLeaseTable implements LeaseLock {
        private record Row(long generation, long expiresAt) {
        }

        private final Map<String, Row> rows = new ConcurrentHashMap<>();
        private final AtomicInteger renewalsStarted = new AtomicInteger();
        private final CountDownLatch never = new CountDownLatch(1);
        private volatile Predicate<String> hanging = id -> false;

        void hangRenewals(Predicate<String> which) {
            hanging = which;
        }

        int renewalsStarted() {
            return renewalsStarted.get();
        }

        long expiryOf(String id) {
            return rows.get(id).expiresAt();
        }

        Set<String> heldNow() {
            long now = System.nanoTime();
            Set<String> held = ConcurrentHashMap.newKeySet();
            rows.forEach((id, row) -> {
                if (row.expiresAt() - now > 0) {
                    held.add(id);
                }
            });
            return held;
        }

        @Override
        public synchronized Optional<Lease> tryAcquire(LockId lockId, Duration ttl, Duration timeout) {
            long now = System.nanoTime();
            Row row = rows.get(lockId.value());
            if (row != null && row.expiresAt() - now > 0) {
                return Optional.empty();
            }
            Row next = new Row(row == null ? 1 : row.generation() + 1, now + ttl.toNanos());
            rows.put(lockId.value(), next);
            return Optional.of(lease(lockId, next));
        }

        @Override
        public Optional<Lease> renew(Lease lease, Duration ttl, Duration timeout) {
            renewalsStarted.incrementAndGet();
            if (hanging.test(lease.lockId().value())) {
                try {
                    never.await(); // a broken adapter: ignores its timeout
                } catch (InterruptedException e) {
                    throw new DatabaseUnavailableException("interrupted", e);
                }
            }
            synchronized (this) {
                long now = System.nanoTime();
                Row row = rows.get(lease.lockId().value());
                if (row == null || row.generation() != lease.generation() || row.expiresAt() - now <= 0) {
                    return Optional.empty();
                }
                Row next = new Row(row.generation(), now + ttl.toNanos());
                rows.put(lease.lockId().value(), next);
                return Optional.of(lease(lease.lockId(), next));
            }
        }

        @Override
        public synchronized boolean release(Lease lease, Duration timeout) {
            long now = System.nanoTime();
            Row row = rows.get(lease.lockId().value());
            if (row == null || row.generation() != lease.generation() || row.expiresAt() - now <= 0) {
                return false;
            }
            rows.put(lease.lockId().value(), new Row(row.generation(), now));
            return true;
        }

        private static Lease lease(LockId lockId, Row row) {
            return new Lease(lockId, row.generation(), Instant.EPOCH.plusNanos(row.expiresAt()));
        }
    }

    /** Forwards to a lease lock; tests override what they break. */
    static class ForwardingLock implements LeaseLock {
        private final LeaseLock delegate;

        ForwardingLock(LeaseLock delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Lease> tryAcquire(LockId lockId, Duration ttl, Duration timeout) {
            return delegate.tryAcquire(lockId, ttl, timeout);
        }

        @Override
        public Optional<Lease> renew(Lease lease, Duration ttl, Duration timeout) {
            return delegate.renew(lease, ttl, timeout);
        }

        @Override
        public boolean release(Lease lease, Duration timeout) {
            return delegate.release(lease, timeout);
        }
    }
}
