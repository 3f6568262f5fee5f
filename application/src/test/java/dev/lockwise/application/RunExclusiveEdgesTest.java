package dev.lockwise.application;

import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.lease.LockUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Acquisition waits, release outcomes and closing, on the in-memory lease table of {@link RunExclusiveTest}. */
class RunExclusiveEdgesTest {
    private static final LockId JOB = new LockId("job");
    private final RunExclusiveTest.MemoryLeaseTable table = new RunExclusiveTest.MemoryLeaseTable();
    private final CountingEvents events = new CountingEvents();
    private RunExclusive runner;

    @AfterEach
    void close() {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    void aRowLockHeldElsewhereCountsAsNotYetOursAndTheWaitGoesOn() throws Exception {
        AtomicInteger blocked = new AtomicInteger(3);
        runner = new RunExclusive(new RunExclusiveTest.ForwardingLock(table) {
            @Override
            public Optional<Lease> tryAcquire(LockId lockId, Duration ttl, Duration timeout) {
                if (blocked.getAndDecrement() > 0) {
                    throw new LockWaitTimeoutException("row locked by an operator", null);
                }
                return super.tryAcquire(lockId, ttl, timeout);
            }
        }, events);
        String result = runner.run(JOB, LeaseTerms.tryOnce(Duration.ofSeconds(5)).waitingUpTo(Duration.ofSeconds(10)),
                lease -> "ran");
        assertThat(result).isEqualTo("ran");
        assertThat(blocked.get()).isNegative();
        assertThat(events.count("lease.acquired")).isEqualTo(1);
    }

    @Test
    void aWaitThatRunsOutIsLockUnavailableSayingHowLongItWaited() {
        table.tryAcquire(JOB, Duration.ofMinutes(1), Duration.ofSeconds(1));
        runner = new RunExclusive(table, events);
        long started = System.nanoTime();
        assertThatThrownBy(() -> runner.run(JOB, LeaseTerms.tryOnce(Duration.ofSeconds(5))
                .waitingUpTo(Duration.ofMillis(300)), lease -> "never"))
                .isInstanceOf(LockUnavailableException.class)
                .hasMessageContaining("was not released within 300ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(5));
        assertThat(events.count("lease.unavailable")).isEqualTo(1);
        assertThatThrownBy(() -> runner.run(JOB, LeaseTerms.tryOnce(Duration.ofSeconds(5)), lease -> "never"))
                .hasMessageContaining("(tried once)");
    }

    @Test
    void aWaitingCallerThatIsInterruptedGivesUpAndKeepsItsInterrupt() throws Exception {
        table.tryAcquire(JOB, Duration.ofMinutes(1), Duration.ofSeconds(1));
        runner = new RunExclusive(table, events);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            try {
                runner.run(JOB, LeaseTerms.tryOnce(Duration.ofSeconds(5)).waitingUpTo(Duration.ofMinutes(1)),
                        lease -> "never");
            } catch (Throwable t) {
                outcome.set(t);
            }
            outcome.get().addSuppressed(new Exception("interrupted=" + Thread.currentThread().isInterrupted()));
            done.countDown();
        });
        waiter.start();
        Thread.sleep(200);
        waiter.interrupt();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(outcome.get()).isInstanceOf(LockUnavailableException.class)
                .hasMessageContaining("(interrupted while waiting)");
        assertThat(outcome.get().getSuppressed()[0]).hasMessage("interrupted=true");
        assertThat(events.count("lease.unavailable")).isEqualTo(1);
    }

    @Test
    void aReleaseThatFindsTheLeaseGoneIsALostLease() {
        runner = new RunExclusive(new RunExclusiveTest.ForwardingLock(table) {
            @Override
            public boolean release(Lease lease, Duration timeout) {
                return false;
            }
        }, events);
        assertThatThrownBy(() -> runner.run(JOB, LeaseTerms.tryOnce(Duration.ofSeconds(5)), lease -> "done"))
                .isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("it had expired or been taken over by the time the task finished");
        assertThat(events.count("lease.released")).isZero();
        assertThat(events.count("lease.lost")).isEqualTo(1);
    }

    @Test
    void aReleaseThatFailsWhileTheLeaseIsStillValidLeavesItToExpireAndTheResultStands() throws Exception {
        runner = new RunExclusive(new RunExclusiveTest.ForwardingLock(table) {
            @Override
            public boolean release(Lease lease, Duration timeout) {
                throw new IllegalStateException("connection reset");
            }
        }, events);
        String result = runner.run(JOB, LeaseTerms.tryOnce(Duration.ofSeconds(5)), lease -> "done");
        assertThat(result).isEqualTo("done");
        assertThat(table.heldNow()).as("left to expire").contains(JOB.value());
    }

    @Test
    void aHoldAtLeastReleasesNoEarlierThanAcquisitionPlusTheHoldByTheLeasesOwnClock() throws Exception {
        AtomicReference<Instant> notBefore = new AtomicReference<>();
        AtomicReference<Lease> first = new AtomicReference<>();
        runner = new RunExclusive(new RunExclusiveTest.ForwardingLock(table) {
            @Override
            public boolean releaseNoEarlierThan(Lease lease, Instant earliest, Duration timeout) {
                notBefore.set(earliest);
                return true;
            }
        }, events);
        runner.run(JOB, LeaseTerms.tryOnce(Duration.ofSeconds(5)).holdingAtLeast(Duration.ofSeconds(2)), lease -> {
            first.set(lease);
            return null;
        });
        // acquisition = expiry - ttl; the hold ends 2 s after it
        assertThat(notBefore.get()).isEqualTo(first.get().expiresAt().minusSeconds(5).plusSeconds(2));
        assertThat(events.count("lease.released")).isEqualTo(1);
    }

    @Test
    void closeWaitsForOtherThreadsHoldsButNotForItsOwn() throws Exception {
        runner = new RunExclusive(table, events);
        CountDownLatch holding = new CountDownLatch(1);
        CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(() -> {
            try {
                runner.run(JOB, LeaseTerms.tryOnce(Duration.ofSeconds(1)), lease -> {
                    holding.countDown();
                    Thread.sleep(60_000);
                    return null;
                });
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        long started = System.nanoTime();
        runner.close();
        // close interrupts the other hold and waits for it to end, never past that lease's validity (1 s)
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(other.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(table.heldNow()).isEmpty();

        RunExclusive own = new RunExclusive(table, events);
        String fromInside = own.run(new LockId("inner"), LeaseTerms.tryOnce(Duration.ofSeconds(30)), lease -> {
            long closing = System.nanoTime();
            own.close(); // does not wait for the lease this very thread holds
            assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(5));
            return "closed from inside";
        });
        assertThat(fromInside).isEqualTo("closed from inside");
    }

    @Test
    void theEventsCarryHowLongEachStepTook() throws Exception {
        java.util.List<Duration> measured = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        dev.lockwise.application.events.LockwiseEvents recording = new dev.lockwise.application.events.LockwiseEvents() {
            @Override
            public void leaseAcquired(Lease lease, Duration waited) {
                measured.add(waited);
            }

            @Override
            public void leaseRenewed(Lease lease, Duration took) {
                measured.add(took);
            }

            @Override
            public void leaseReleased(Lease lease, Duration held) {
                measured.add(held);
            }
        };
        runner = new RunExclusive(table, recording);
        runner.run(JOB, LeaseTerms.tryOnce(Duration.ofMillis(300)), lease -> {
            Thread.sleep(400); // past one renewal (every 100 ms)
            return null;
        });
        assertThat(measured).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofSeconds(10)));
        assertThat(measured.get(measured.size() - 1)).as("held").isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }
}
