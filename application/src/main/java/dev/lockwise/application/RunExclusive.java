package dev.lockwise.application;

import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLock;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LeasedTask;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.lease.LockUnavailableException;
import io.github.resilience4j.core.IntervalFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs a task while holding a lease, so that one task with a given lock id runs at a time across threads, processes
 * and machines.
 *
 * <ul>
 *   <li>Acquire: one try, or polls with exponential backoff and jitter up to the wait the terms allow, then
 *       {@link LockUnavailableException}; the task does not run.</li>
 *   <li>Renew: every {@code renewEvery} on a background thread while the task runs. A renewal that fails (database
 *       unreachable) is retried quickly as long as the lease can still be valid; once the database says the lease is
 *       gone, or it cannot have survived, the task's thread is interrupted.</li>
 *   <li>Release: at once when the task ends, whatever the outcome; it also tells whether the lease survived to the
 *       end. If it did not, {@link LeaseLostException} is thrown even when the task returned normally, because its
 *       work may have overlapped another holder's. Otherwise the task's result or own exception comes back unchanged.</li>
 * </ul>
 *
 * <p>Times: expiry is decided by the database clock alone (in the adapter's SQL). This class never reads the wall
 * clock; it only measures elapsed time with {@link System#nanoTime()} to know when, at the latest, a lease that could
 * not be renewed must be considered gone: the time the renewal statement was sent plus the ttl, which is never later
 * than the database's own expiry.
 */
public final class RunExclusive implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunExclusive.class);
    private static final Duration POLL_FIRST = Duration.ofMillis(5);
    private static final Duration POLL_MAX = Duration.ofMillis(100);
    private static final Duration RENEW_RETRY = Duration.ofMillis(50);

    private final LeaseLock lock;
    private final LockwiseEvents events;
    private final ScheduledExecutorService renewer;
    private final IntervalFunction pollInterval = IntervalFunction.ofExponentialRandomBackoff(POLL_FIRST, 1.5, 0.5,
            POLL_MAX);

    public RunExclusive(LeaseLock lock, LockwiseEvents events) {
        this.lock = Objects.requireNonNull(lock, "lock");
        this.events = Objects.requireNonNull(events, "events");
        this.renewer = Executors.newScheduledThreadPool(2, daemonThreads());
    }

    /**
     * Runs {@code task} while holding the lease {@code lockId} on {@code terms}.
     *
     * @return what the task returned
     * @throws LockUnavailableException if the lease could not be had within the terms' wait; the task did not run
     * @throws LeaseLostException       if the lease was lost before the task finished (its thread was interrupted)
     * @throws E                        the task's own exception, unchanged, if the lease was held throughout
     */
    public <T, E extends Exception> T run(LockId lockId, LeaseTerms terms, LeasedTask<T, E> task) throws E {
        if (lockId == null || terms == null || task == null) {
            throw new InvalidInputException("run exclusive needs a lock id, terms and a task; got lockId=" + lockId
                    + ", terms=" + terms + ", task=" + (task == null ? "null" : "given"));
        }
        Holding holding = new Holding(acquire(lockId, terms), terms, Thread.currentThread());
        holding.scheduleRenewal(terms.renewEvery());
        T result = null;
        Throwable failure = null;
        try {
            result = task.run(holding.firstLease);
        } catch (Throwable thrown) {
            failure = thrown;
        } finally {
            holding.stop();
        }
        String lostBecause = holding.finish();
        if (lostBecause != null) {
            events.leaseLost(holding.current, lostBecause);
            throw new LeaseLostException(holding.current, lostBecause, failure);
        }
        if (failure != null) {
            throw RunExclusive.<E>rethrow(failure);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static <E extends Exception> E rethrow(Throwable failure) throws E {
        if (failure instanceof Error error) {
            throw error;
        }
        throw (E) failure;
    }

    private Lease acquire(LockId lockId, LeaseTerms terms) {
        long started = System.nanoTime();
        long deadline = started + terms.waitUpTo().toNanos();
        for (int poll = 1; ; poll++) {
            Optional<Lease> lease;
            try {
                lease = lock.tryAcquire(lockId, terms.ttl());
            } catch (LockWaitTimeoutException blocked) {
                // Another session holds the lease row locked (say, an operator's open transaction): not ours yet.
                lease = Optional.empty();
            }
            if (lease.isPresent()) {
                events.leaseAcquired(lease.get(), Duration.ofNanos(System.nanoTime() - started));
                LOG.debug("acquired lease {} generation {}", lockId, lease.get().generation());
                return lease.get();
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                events.leaseUnavailable(lockId);
                throw new LockUnavailableException(lockId, terms.waits()
                        ? " and was not released within " + terms.waitUpTo().toMillis() + " ms"
                        : " (tried once)");
            }
            long sleep = Math.min(TimeUnit.MILLISECONDS.toNanos(pollInterval.apply(poll)), remaining);
            try {
                TimeUnit.NANOSECONDS.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                events.leaseUnavailable(lockId);
                throw new LockUnavailableException(lockId, " (interrupted while waiting)");
            }
        }
    }

    /** One held lease: its renewal schedule and what is known about whether it is still held. */
    private final class Holding {
        private final Lease firstLease;
        private final LeaseTerms terms;
        private final Thread taskThread;
        private final long acquiredAt = System.nanoTime();
        private final ReentrantLock state = new ReentrantLock();
        private volatile Lease current;
        private volatile long validUntilNanos;
        private ScheduledFuture<?> next;
        private boolean stopped;
        private boolean interruptedTask;
        private String lostBecause;

        Holding(Lease lease, LeaseTerms terms, Thread taskThread) {
            this.firstLease = lease;
            this.current = lease;
            this.terms = terms;
            this.taskThread = taskThread;
            // Conservative: the acquisition was sent before acquiredAt, so the database's expiry is later than this.
            this.validUntilNanos = acquiredAt + terms.ttl().toNanos();
        }

        void scheduleRenewal(Duration delay) {
            state.lock();
            try {
                if (!stopped && lostBecause == null) {
                    long untilExpiry = validUntilNanos - System.nanoTime();
                    long nanos = Math.max(0, Math.min(delay.toNanos(), untilExpiry));
                    next = renewer.schedule(this::renew, nanos, TimeUnit.NANOSECONDS);
                }
            } finally {
                state.unlock();
            }
        }

        private void renew() {
            Duration nextDelay;
            state.lock();
            try {
                if (stopped || lostBecause != null) {
                    return;
                }
                long sent = System.nanoTime();
                if (sent - validUntilNanos >= 0) {
                    lose("it expired before it could be renewed");
                    return;
                }
                try {
                    Optional<Lease> renewed = lock.renew(current, terms.ttl());
                    if (renewed.isEmpty()) {
                        lose("the database says it expired or a newer holder took it over");
                        return;
                    }
                    current = renewed.get();
                    validUntilNanos = sent + terms.ttl().toNanos();
                    events.leaseRenewed(current, Duration.ofNanos(System.nanoTime() - sent));
                    nextDelay = terms.renewEvery();
                } catch (RuntimeException failure) {
                    LOG.warn("renewing lease {} generation {} failed, retrying while it may still be valid: {}",
                            current.lockId(), current.generation(), failure.getMessage());
                    nextDelay = RENEW_RETRY;
                }
            } finally {
                state.unlock();
            }
            scheduleRenewal(nextDelay);
        }

        /** Called with {@link #state} held. */
        private void lose(String reason) {
            lostBecause = reason;
            LOG.warn("lease {} generation {} lost: {}; interrupting the task", current.lockId(), current.generation(),
                    reason);
            if (!stopped) {
                interruptedTask = true;
                taskThread.interrupt();
            }
        }

        /** Stops renewing; waits for a renewal in flight so that none can land after the release. */
        void stop() {
            state.lock();
            try {
                stopped = true;
                if (next != null) {
                    next.cancel(false);
                }
                if (interruptedTask) {
                    Thread.interrupted(); // clear the interrupt we sent; the caller learns of the loss by exception
                }
            } finally {
                state.unlock();
            }
        }

        /** Releases the lease; returns why it was lost, or null if it was held to the end. */
        String finish() {
            if (lostBecause != null) {
                return lostBecause;
            }
            try {
                if (lock.release(current)) {
                    events.leaseReleased(current, Duration.ofNanos(System.nanoTime() - acquiredAt));
                    return null;
                }
                return "it had expired or been taken over by the time the task finished";
            } catch (RuntimeException failure) {
                if (System.nanoTime() - validUntilNanos < 0) {
                    LOG.warn("releasing lease {} generation {} failed; it will expire on its own: {}",
                            current.lockId(), current.generation(), failure.getMessage());
                    return null;
                }
                return "it could not be released, and could have expired before the task finished ("
                        + failure.getMessage() + ")";
            }
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "lockwise-lease-renewer-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }
}
