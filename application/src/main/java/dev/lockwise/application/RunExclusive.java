package dev.lockwise.application;

import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.domain.DurationText;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a task while holding a lease, so that one task with a given lock id runs at a time across threads, processes
 * and machines.
 *
 * <ul>
 *   <li><b>Acquire</b>: one try, or polls with exponential backoff and jitter up to the wait the terms allow, then
 *       {@link LockUnavailableException}; the task does not run.</li>
 *   <li><b>A local deadline that needs no I/O.</b> The holder may rely on the lease until {@code validUntil = (when
 *       the last successful acquisition or renewal was sent) + ttl − margin}, measured with {@link System#nanoTime()}.
 *       Since the database computes its expiry when it writes the row, after the statement was sent, {@code
 *       validUntil} is never later than the database's expiry (the margin absorbs clock-rate differences). A
 *       watchdog on a timer thread of its own, which does nothing but compare times and interrupt, fires at
 *       {@code validUntil} whatever any renewal is doing: the task's thread is interrupted and {@code run} throws
 *       {@link LeaseLostException}.</li>
 *   <li><b>Renew</b> every {@code renewEvery} while the task runs. Each renewal runs on an I/O thread of its own (one
 *       lease's stuck renewal never delays another's) and is bounded by half of the validity left, so that a retry
 *       on a fresh connection still fits before the deadline. A failed renewal is retried quickly; one the database
 *       refuses means the lease is gone.</li>
 *   <li><b>Release</b> at once when the task ends, whatever the outcome, bounded by the validity left — or, with a
 *       {@linkplain LeaseTerms#holdAtLeast() hold}, left to expire at the acquisition's database time plus the hold
 *       if that is still ahead. If the lease was lost, {@link LeaseLostException} is thrown even when the task
 *       returned normally, because its work may have overlapped another holder's. Otherwise the task's result or
 *       own exception comes back unchanged.</li>
 * </ul>
 *
 * <p>What the deadline cannot do: stop a process that is itself paused (a GC pause, a frozen VM, SIGSTOP) — nothing
 * runs in it to notice. There the lease's generation, a fencing token checked by the database on every write
 * ({@code LeaseFence}), is the protection.
 *
 * <p>{@link #close()} refuses new runs, stops renewing, interrupts running tasks and waits (at most until their
 * validity ends) for them to release their leases.
 */
public final class RunExclusive implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunExclusive.class);
    private static final Duration POLL_FIRST = Duration.ofMillis(5);
    private static final Duration POLL_MAX = Duration.ofMillis(100);
    private static final long RENEW_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** An acquisition attempt may wait this long on a row lock held elsewhere, even if the caller's wait is shorter. */
    static final Duration ACQUIRE_ATTEMPT_FLOOR = Duration.ofSeconds(2);
    /** A renewal attempt gets half the validity left, but not less than this (or all of what is left). */
    static final long MIN_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MIN_STATEMENT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final LeaseLock lock;
    private final LockwiseEvents events;
    /** One thread that only compares times, interrupts and hands work on: the deadlines and renewal triggers. */
    private final ScheduledThreadPoolExecutor timer;
    /** Lease statements (and logging): a thread per call in flight, so that no call waits behind another. */
    private final ExecutorService io;
    private final IntervalFunction pollInterval = IntervalFunction.ofExponentialRandomBackoff(POLL_FIRST, 1.5, 0.5,
            POLL_MAX);
    private final Map<HeldKey, Holding> held = new ConcurrentHashMap<>();
    private final Object lifecycle = new Object();
    private boolean closed; // guarded by lifecycle

    /**
     * @param lock   the lease table
     * @param events told of acquisitions, renewals, losses and releases
     */
    public RunExclusive(LeaseLock lock, LockwiseEvents events) {
        this.lock = Objects.requireNonNull(lock, "lock");
        this.events = Objects.requireNonNull(events, "events");
        this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("lockwise-lease-timer"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.io = Executors.newCachedThreadPool(daemonThreads("lockwise-lease-io"));
    }

    /**
     * Runs {@code task} while holding the lease {@code lockId} on {@code terms}.
     *
     * @param lockId the lock to hold
     * @param terms  the ttl, renewal, wait, margin and hold
     * @param task   the work; it gets the lease (its generation fences writes) and should stop when interrupted
     * @param <T>    what the task returns
     * @param <E>    what the task may throw
     * @return what the task returned
     * @throws LockUnavailableException if the lease could not be had within the terms' wait; the task did not run
     * @throws LeaseLostException       if the lease was lost before the task finished (its thread was interrupted)
     * @throws IllegalStateException    if this {@code RunExclusive} is closed
     * @throws E                        the task's own exception, unchanged, if the lease was held throughout
     */
    public <T, E extends Exception> T run(LockId lockId, LeaseTerms terms, LeasedTask<T, E> task) throws E {
        if (lockId == null || terms == null || task == null) {
            throw new InvalidInputException("run exclusive needs a lock id, terms and a task; got lockId=" + lockId
                    + ", terms=" + terms + ", task=" + (task == null ? "null" : "given"));
        }
        requireOpen();
        Holding holding = new Holding(acquire(lockId, terms), terms, Thread.currentThread());
        T result = null;
        Throwable failure = null;
        try {
            register(holding);
            holding.start();
            result = task.run(holding.firstLease);
        } catch (Throwable thrown) {
            failure = thrown;
        } finally {
            holding.stop();
        }
        String lostBecause;
        try {
            lostBecause = holding.finish();
        } finally {
            unregister(holding);
        }
        if (lostBecause != null) {
            events.leaseLost(holding.lease(), lostBecause);
            throw new LeaseLostException(holding.lease(), lostBecause, failure);
        }
        if (failure != null) {
            throw RunExclusive.<E>rethrow(failure);
        }
        return result;
    }

    /**
     * How much longer, by this process's monotonic clock, the holder of {@code lease} may rely on it: zero once it is
     * lost or released, or if no task of this {@code RunExclusive} holds it. Reads no clock but {@code nanoTime} and
     * does no I/O, so a task may poll it to stop in time (the command line sends SIGTERM to its command a grace
     * period before it reaches zero).
     *
     * @param lease a lease a task of this {@code RunExclusive} holds
     * @return how long it may still be relied on; zero if not held
     */
    public Duration remainingValidity(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        Holding holding = held.get(new HeldKey(lease.lockId(), lease.generation()));
        return holding == null ? Duration.ZERO : Duration.ofNanos(holding.remainingNanos());
    }

    @SuppressWarnings("unchecked")
    private static <E extends Exception> E rethrow(Throwable failure) throws E {
        if (failure instanceof Error error) {
            throw error;
        }
        throw (E) failure;
    }

    private void requireOpen() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("this RunExclusive is closed");
            }
        }
    }

    private void register(Holding holding) {
        synchronized (lifecycle) {
            held.put(holding.key, holding);
            if (closed) {
                holding.closeDown(); // closed while we acquired: the task is interrupted before it starts
            }
        }
    }

    private void unregister(Holding holding) {
        synchronized (lifecycle) {
            held.remove(holding.key, holding);
            lifecycle.notifyAll();
        }
    }

    /** A lease just acquired, and when its acquisition was sent (the start of its validity). */
    private record Acquired(Lease lease, long sentNanos) {
    }

    private record HeldKey(LockId lockId, long generation) {
    }

    private Acquired acquire(LockId lockId, LeaseTerms terms) {
        long started = System.nanoTime();
        long waitDeadline = started + terms.waitUpTo().toNanos();
        long validity = validityNanos(terms);
        for (int poll = 1; ; poll++) {
            long sent = System.nanoTime();
            Duration bound = Duration.ofNanos(Math.min(validity,
                    Math.max(waitDeadline - sent, ACQUIRE_ATTEMPT_FLOOR.toNanos())));
            Optional<Lease> lease;
            try {
                lease = lock.tryAcquire(lockId, terms.ttl(), bound);
            } catch (LockWaitTimeoutException blocked) {
                // Another session holds the lease row locked (say, an operator's open transaction): not ours yet.
                lease = Optional.empty();
            }
            if (lease.isPresent()) {
                Optional<Acquired> usable = usable(lease.get(), sent, terms);
                if (usable.isPresent()) {
                    events.leaseAcquired(usable.get().lease(), Duration.ofNanos(System.nanoTime() - started));
                    LOG.debug("acquired lease {} generation {}", lockId, lease.get().generation());
                    return usable.get();
                }
                // Too little validity left to rely on, and it could not be renewed: give it back.
                releaseQuietly(lease.get(), terms.validity());
            }
            long remaining = waitDeadline - System.nanoTime();
            if (remaining <= 0) {
                events.leaseUnavailable(lockId);
                throw new LockUnavailableException(lockId, terms.waits()
                        ? " and was not released within " + DurationText.show(terms.waitUpTo())
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

    /**
     * A lease just acquired, if the task can rely on it: an acquisition that took long (it waited on the row lock)
     * leaves less validity than a renewal interval, so it is renewed at once, before the task starts.
     */
    private Optional<Acquired> usable(Lease lease, long sent, LeaseTerms terms) {
        long left = sent + validityNanos(terms) - System.nanoTime();
        if (left >= terms.renewEvery().toNanos()) {
            return Optional.of(new Acquired(lease, sent));
        }
        if (left <= MIN_STATEMENT_NANOS) {
            return Optional.empty();
        }
        long renewSent = System.nanoTime();
        try {
            return lock.renew(lease, terms.ttl(), Duration.ofNanos(left)).map(renewed -> new Acquired(renewed, renewSent));
        } catch (RuntimeException failure) {
            return Optional.empty();
        }
    }

    /**
     * {@code ttl − margin}, with the ttl in the whole milliseconds the database is given (a sub-millisecond part of a
     * ttl is dropped there; it must not lengthen the holder's validity here).
     */
    private static long validityNanos(LeaseTerms terms) {
        return Duration.ofMillis(terms.ttl().toMillis()).minus(terms.margin()).toNanos();
    }

    private void releaseQuietly(Lease lease, Duration bound) {
        try {
            lock.release(lease, bound);
        } catch (RuntimeException e) {
            LOG.debug("giving back lease {} generation {} failed; it expires on its own: {}", lease.lockId(),
                    lease.generation(), e.getMessage());
        }
    }

    /** Logs on an I/O thread: the timer thread never writes anything anywhere. */
    private void logLater(Runnable logging) {
        try {
            io.execute(logging);
        } catch (RejectedExecutionException closing) {
            // Shut down: the loss still reaches the caller as an exception.
        }
    }

    /** One held lease: its deadline, its renewals, and what is known about whether it is still held. */
    private final class Holding {
        private final HeldKey key;
        private final Lease firstLease;
        private final LeaseTerms terms;
        private final Thread taskThread;
        private final long validityNanos;
        private final long renewEveryNanos;
        private final long acquiredAt;
        // All guarded by this. No I/O is ever done while holding it.
        private Lease current;
        private long validUntil;
        /** Validity according to the last answer of the database, kept after a loss: how long a release makes sense. */
        private long answeredUntil;
        private ScheduledFuture<?> nextRenewal;
        private ScheduledFuture<?> deadline;
        private boolean stopped;
        private boolean closing;
        private boolean interruptedForLoss;
        /** An interrupt of the task's thread is being delivered (off the timer thread, outside this lock). */
        private boolean interrupting;
        private String lostBecause;

        Holding(Acquired acquired, LeaseTerms terms, Thread taskThread) {
            this.firstLease = acquired.lease();
            this.key = new HeldKey(firstLease.lockId(), firstLease.generation());
            this.current = firstLease;
            this.terms = terms;
            this.taskThread = taskThread;
            this.validityNanos = validityNanos(terms);
            this.renewEveryNanos = terms.renewEvery().toNanos();
            this.validUntil = acquired.sentNanos() + validityNanos;
            this.answeredUntil = validUntil;
            this.acquiredAt = acquired.sentNanos();
        }

        synchronized Lease lease() {
            return current;
        }

        synchronized long remainingNanos() {
            if (stopped || lostBecause != null) {
                return 0;
            }
            return Math.max(0, validUntil - System.nanoTime());
        }

        synchronized void start() {
            long now = System.nanoTime();
            scheduleDeadline(validUntil - now);
            scheduleRenewal(validUntil - validityNanos + renewEveryNanos - now);
        }

        // ---- the timer thread: compares times, interrupts, hands work on; never I/O ----------------------------

        private void checkDeadline() {
            synchronized (this) {
                if (stopped || lostBecause != null) {
                    return;
                }
                long left = validUntil - System.nanoTime();
                if (left > 0) {
                    scheduleDeadline(left); // renewed since this check was scheduled
                    return;
                }
                lose("no renewal succeeded within its validity (ttl " + DurationText.show(terms.ttl()) + " − margin "
                        + DurationText.show(terms.margin()) + "); the database may hand it to another holder now");
            }
        }

        private void renewalDue() {
            synchronized (this) {
                if (stopped || closing || lostBecause != null) {
                    return;
                }
                try {
                    io.execute(this::renewNow);
                } catch (RejectedExecutionException shutDown) {
                    lose("its renewal could not be started (this RunExclusive is shut down)");
                }
            }
        }

        /** Called with this held. */
        private void scheduleDeadline(long delayNanos) {
            try {
                deadline = timer.schedule(this::checkDeadline, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException shutDown) {
                lose("its deadline could not be watched (this RunExclusive is shut down)");
            }
        }

        /** Called with this held. */
        private void scheduleRenewal(long delayNanos) {
            if (stopped || closing || lostBecause != null) {
                return;
            }
            try {
                nextRenewal = timer.schedule(this::renewalDue, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException shutDown) {
                lose("its renewal could not be scheduled (this RunExclusive is shut down)");
            }
        }

        /** Called with this held: the lease is gone for this holder. The task's thread is interrupted first. */
        private void lose(String reason) {
            if (lostBecause != null) {
                return;
            }
            lostBecause = reason;
            interruptTask(true);
            cancel(nextRenewal);
            Lease lease = current;
            logLater(() -> LOG.warn("lease {} generation {} lost: {}; interrupting the task", lease.lockId(),
                    lease.generation(), reason));
        }

        // ---- an I/O thread ----------------------------------------------------------------------------------

        private void renewNow() {
            long sent = System.nanoTime();
            Lease lease;
            long left;
            synchronized (this) {
                if (stopped || closing || lostBecause != null) {
                    return;
                }
                lease = current;
                left = validUntil - sent;
            }
            if (left <= MIN_STATEMENT_NANOS) {
                return; // the deadline is upon us: the watchdog decides
            }
            long retryIn;
            try {
                Duration bound = Duration.ofNanos(Math.max(left / 2, Math.min(left, MIN_ATTEMPT_NANOS)));
                Optional<Lease> renewed = lock.renew(lease, terms.ttl(), bound);
                synchronized (this) {
                    if (renewed.isEmpty()) {
                        lose("the database says it expired or a newer holder took it over");
                        return;
                    }
                    answeredUntil = Math.max(answeredUntil, sent + validityNanos);
                    if (stopped || lostBecause != null) {
                        return;
                    }
                    current = renewed.get();
                    validUntil = sent + validityNanos;
                }
                notifyRenewed(renewed.get(), sent);
                retryIn = sent + renewEveryNanos - System.nanoTime();
            } catch (Throwable failure) { // an Error too: renewal never ends silently; the deadline still stands
                LOG.warn("renewing lease {} generation {} failed, retrying while it may still be valid: {}",
                        lease.lockId(), lease.generation(), failure.toString());
                retryIn = RENEW_RETRY_NANOS;
            }
            synchronized (this) {
                scheduleRenewal(retryIn);
            }
        }

        private void notifyRenewed(Lease lease, long sent) {
            try {
                events.leaseRenewed(lease, Duration.ofNanos(System.nanoTime() - sent));
            } catch (RuntimeException e) {
                LOG.warn("a lease event listener failed: {}", e.toString());
            }
        }

        // ---- the task's thread ------------------------------------------------------------------------------

        /** Stops renewing and watching; clears the interrupt this holding sent (the caller learns by exception). */
        synchronized void stop() {
            stopped = true;
            cancel(nextRenewal);
            cancel(deadline);
            boolean waited = false;
            while (interrupting) { // an interrupt is on its way to this very thread, which is not blocked: brief
                try {
                    wait();
                } catch (InterruptedException ours) {
                    waited = true;
                }
            }
            if (interruptedForLoss) {
                Thread.interrupted(); // ours: the caller learns of the loss by exception
            } else if (waited) {
                Thread.currentThread().interrupt(); // someone else's (close): keep it
            }
        }

        /**
         * Called with this held: interrupts the task's thread from an I/O thread, never from the timer thread and
         * never while holding this lock — {@link Thread#interrupt()} can block (it closes an interruptible channel the
         * thread is blocked in, and that close can wait on a hung file system), and it must not hold up the deadlines
         * of other leases.
         */
        private void interruptTask(boolean forLoss) {
            if (stopped) {
                return;
            }
            Runnable delivery = () -> {
                synchronized (this) {
                    if (stopped) {
                        return;
                    }
                    interrupting = true;
                    interruptedForLoss |= forLoss;
                }
                try {
                    taskThread.interrupt();
                } finally {
                    synchronized (this) {
                        interrupting = false;
                        notifyAll();
                    }
                }
            };
            try {
                io.execute(delivery);
            } catch (RejectedExecutionException shutDown) {
                Thread courier = new Thread(delivery, "lockwise-lease-interrupt");
                courier.setDaemon(true);
                courier.start();
            }
        }

        /** From {@link RunExclusive#close()}: no more renewals; the task is asked to stop. */
        synchronized void closeDown() {
            closing = true;
            cancel(nextRenewal);
            interruptTask(false);
        }

        synchronized long validUntilNanos() {
            return validUntil;
        }

        boolean runsOn(Thread thread) {
            return taskThread == thread;
        }

        /** Releases the lease (bounded by its validity); returns why it was lost, or null if it was held to the end. */
        String finish() {
            String lost;
            Lease lease;
            long left;
            synchronized (this) {
                lost = lostBecause;
                lease = current;
                left = answeredUntil - System.nanoTime();
            }
            if (left < MIN_STATEMENT_NANOS) {
                return lost != null ? lost : "its validity ended as the task finished, before it could be released";
            }
            try {
                boolean released = terms.holdAtLeast().isZero() ? lock.release(lease, Duration.ofNanos(left))
                        : lock.releaseNoEarlierThan(lease, heldUntil(), Duration.ofNanos(left));
                if (lost != null) {
                    return lost;
                }
                if (released) {
                    events.leaseReleased(lease, Duration.ofNanos(System.nanoTime() - acquiredAt));
                    return null;
                }
                return "it had expired or been taken over by the time the task finished";
            } catch (RuntimeException failure) {
                if (lost != null) {
                    return lost;
                }
                if (System.nanoTime() - validUntilNanos() < 0) {
                    LOG.warn("releasing lease {} generation {} failed; it will expire on its own: {}",
                            lease.lockId(), lease.generation(), failure.getMessage());
                    return null;
                }
                return "it could not be released, and could have expired before the task finished ("
                        + failure.getMessage() + ")";
            }
        }

        /**
         * The end of the hold, in database time: the acquisition's expiry was computed by the database as its
         * {@code clock_timestamp()} plus the ttl (in whole milliseconds), so the acquisition time is that minus
         * the ttl — no client clock involved.
         */
        private Instant heldUntil() {
            return firstLease.expiresAt().minus(Duration.ofMillis(terms.ttl().toMillis())).plus(terms.holdAtLeast());
        }

        private void cancel(ScheduledFuture<?> future) {
            if (future != null) {
                future.cancel(false);
            }
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Refuses new runs, stops renewing, interrupts running tasks and waits for them to release their leases — at most
     * until each lease's validity ends (a task that ignores the interrupt then loses its lease and gets
     * {@link LeaseLostException} when it returns). Then stops the threads.
     */
    @Override
    public void close() {
        List<Holding> running;
        synchronized (lifecycle) {
            closed = true;
            running = new ArrayList<>(held.values());
        }
        long waitUntil = System.nanoTime();
        for (Holding holding : running) {
            holding.closeDown();
            if (!holding.runsOn(Thread.currentThread()) && holding.validUntilNanos() - waitUntil > 0) {
                waitUntil = holding.validUntilNanos();
            }
        }
        synchronized (lifecycle) {
            try {
                while (othersStillHeld() && waitUntil - System.nanoTime() > 0) {
                    TimeUnit.NANOSECONDS.timedWait(lifecycle, waitUntil - System.nanoTime());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        timer.shutdown(); // deadlines already scheduled still fire
        io.shutdown();
    }

    /** Called with lifecycle held. */
    private boolean othersStillHeld() {
        for (Holding holding : held.values()) {
            if (!holding.runsOn(Thread.currentThread())) {
                return true;
            }
        }
        return false;
    }
}
