package dev.lockwise.application.adaptive;

import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.WaitInterruptedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The adaptive strategy's locked path within one process: locked attempts queue in the JVM, and the one at the head
 * of the queue runs a single row-locked transaction for itself <em>and for every queued attempt on the same row</em>,
 * applying their changes one after the other to the locked row and writing the result once.
 *
 * <p>Why: a row lock serialises a row's writers, and each locked transaction holds the row for a full client round
 * trip (locking read, change in Java, write and commit). On a hot row that caps throughput at one change per round
 * trip, below what optimistic retries reach. Combining the changes that are already waiting turns one round trip
 * into many acknowledged changes — the same idea as a database's group commit, or AliSQL's queue for hot inventory
 * rows. Every change still runs against the row as the previous one left it, so the outcome is exactly that of
 * running them serially: each caller gets the row as read and as its own change left it, and the versions advance
 * by one per change, as they would have one transaction at a time.
 *
 * <p>Rules:
 * <ul>
 *   <li>One queue per row that has callers, made when the first arrives and dropped when the last leaves: a busy row
 *       never holds up another row, and memory grows with the rows in use at this moment, not with all rows seen.</li>
 *   <li>At most {@link #MAX_BATCH} changes per transaction, so one transaction stays short.</li>
 *   <li>A change that throws fails only its own caller; the others are applied and written.</li>
 *   <li>If the transaction fails (lock timeout, lost connection, no such row…), every caller in it gets that
 *       failure, exactly as if each had run alone at that moment; their retries decide what happens next.</li>
 *   <li>The head waits for nobody: it takes what is queued when it starts. When it is done it hands the turn to the
 *       oldest waiter and returns, so no caller serves others for longer than its own transaction.</li>
 *   <li>A caller not yet taken into a transaction waits at most the queue timeout (the lock timeout: how long a
 *       caller is prepared to wait for the row) and leaves with {@link LockWaitTimeoutException}; interrupted, it
 *       leaves at once with {@link WaitInterruptedException} and its interrupt status set. Either way nothing was
 *       written for it. Once taken into a transaction (as the head or as a member), it waits for the outcome whatever
 *       happens, as its change may already be committed, and keeps any interrupt for afterwards.</li>
 *   <li>The head clears its thread's interrupt status while it runs the transaction and restores it afterwards: an
 *       interrupt meant for one caller must not abort a transaction that carries other callers' changes (the
 *       connection pool gives up on an interrupted thread).</li>
 *   <li>Every member ends with an outcome: a batch listener that throws is logged and ignored (it observes, it does
 *       not decide), and a member the transaction somehow left without one gets an {@link IllegalStateException}.</li>
 * </ul>
 *
 * <p>Between processes nothing is combined; PostgreSQL's row lock still excludes them from one another.
 *
 * @param <K> what identifies a row (equal keys, same row)
 * @param <T> the row type
 */
final class LockedBatches<K, T> {
    private static final Logger LOG = LoggerFactory.getLogger(LockedBatches.class);

    /** The most changes one locked transaction applies. */
    static final int MAX_BATCH = 64;

    /** Runs {@code change} in one transaction that holds the row lock: one attempt of the pessimistic repository. */
    @FunctionalInterface
    interface LockedUpdate<T> {
        Updated<T> apply(UnaryOperator<T> change);
    }

    /** Told, by the head, how many attempts on {@code row} one locked transaction carried. */
    @FunctionalInterface
    interface BatchListener<K> {
        void ran(K row, int size);
    }

    private final ConcurrentMap<K, RowQueue> queues = new ConcurrentHashMap<>();
    private final long queueTimeoutNanos;
    private final BatchListener<K> listener;

    /**
     * @param queueTimeout how long a caller waits in this process for its turn before it gives up (positive)
     * @param listener     told of every combined transaction; its failures are logged and ignored
     */
    LockedBatches(Duration queueTimeout, BatchListener<K> listener) {
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        if (queueTimeout.isNegative() || queueTimeout.isZero()) {
            throw new IllegalArgumentException("queue timeout must be positive, got " + queueTimeout);
        }
        this.queueTimeoutNanos = queueTimeout.toNanos();
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * One locked attempt at {@code change} on {@code row}, possibly in the same transaction as other callers' changes
     * to an equal row.
     *
     * @param row    identifies the row; attempts are combined only when their rows are equal
     * @param change this caller's change
     * @param locked runs a (combined) change under the row lock; called by whichever caller is at the head
     * @return the row as this caller's change found it and as it left it
     * @throws LockWaitTimeoutException if the caller's turn did not come within the queue timeout
     * @throws WaitInterruptedException if the caller was interrupted before its turn came
     */
    Updated<T> update(K row, UnaryOperator<T> change, LockedUpdate<T> locked) {
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(locked, "locked");
        Waiter waiter = new Waiter(Objects.requireNonNull(row, "row"), change, locked, null);
        run(waiter);
        @SuppressWarnings("unchecked")
        Updated<T> updated = (Updated<T>) waiter.outcome();
        return updated;
    }

    /**
     * One locked attempt that cannot be combined (it does more than change the row, say, records a request id): it
     * queues with the others on its row and runs alone.
     *
     * @param row    identifies the row whose queue the attempt joins
     * @param locked the whole attempt, run by this caller in its turn
     * @param <R>    what the attempt returns
     * @return what {@code locked} returned
     * @throws LockWaitTimeoutException if the caller's turn did not come within the queue timeout
     * @throws WaitInterruptedException if the caller was interrupted before its turn came
     */
    <R> R alone(K row, Supplier<R> locked) {
        Waiter waiter = new Waiter(Objects.requireNonNull(row, "row"), null, null,
                Objects.requireNonNull(locked, "locked"));
        run(waiter);
        @SuppressWarnings("unchecked")
        R result = (R) waiter.outcome();
        return result;
    }

    private void run(Waiter self) {
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(self);
        }
        long deadline = System.nanoTime() + queueTimeoutNanos;
        RowQueue queue;
        boolean head;
        while (true) {
            queue = queues.computeIfAbsent(self.row, key -> new RowQueue());
            synchronized (queue) {
                if (queue.retired) {
                    continue; // emptied and dropped after we found it: take the row's current queue
                }
                head = !queue.running;
                if (head) {
                    queue.running = true;
                } else {
                    queue.waiting.addLast(self);
                }
                break;
            }
        }
        if (!head && !awaitTurn(self, queue, deadline)) {
            return;
        }
        List<Waiter> batch = new ArrayList<>();
        batch.add(self);
        if (self.combinable()) {
            synchronized (queue) {
                for (Iterator<Waiter> it = queue.waiting.iterator(); it.hasNext() && batch.size() < MAX_BATCH; ) {
                    Waiter other = it.next();
                    if (other.combinable()) {
                        it.remove();
                        batch.add(other);
                    }
                }
            }
        }
        try {
            execute(batch);
        } finally {
            Waiter next;
            synchronized (queue) {
                next = queue.waiting.pollFirst();
                if (next == null) {
                    queue.running = false;
                    queue.retired = true;
                    queues.remove(self.row, queue);
                }
            }
            if (next != null) {
                next.signal(Waiter.HEAD);
            }
            for (int i = 1; i < batch.size(); i++) {
                batch.get(i).signal(Waiter.DONE);
            }
        }
    }

    /**
     * Waits until {@code self} is made the head (true) or has been carried by another head's transaction (false).
     * Until it is taken from the queue it may leave: when the deadline passes or when interrupted.
     */
    private boolean awaitTurn(Waiter self, RowQueue queue, long deadline) {
        boolean interrupted = false;
        int seen;
        while ((seen = self.state) == Waiter.WAITING) {
            long left = deadline - System.nanoTime();
            boolean timedOut = left <= 0;
            if (!interrupted && !timedOut) {
                LockSupport.parkNanos(this, left);
                interrupted = Thread.interrupted();
                continue;
            }
            synchronized (queue) {
                if (queue.waiting.remove(self)) { // not taken by anyone: leaving changes nothing
                    if (interrupted) {
                        throw interrupted(self);
                    }
                    throw new LockWaitTimeoutException("waited " + Duration.ofNanos(queueTimeoutNanos).toMillis()
                            + " ms (the lock timeout) in this process for a turn at the row lock of " + self.row
                            + " without getting one", null);
                }
            }
            // Taken: our change may be in a transaction now. Wait for the outcome, uninterruptibly.
            while ((seen = self.state) == Waiter.WAITING) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return seen == Waiter.HEAD;
    }

    private WaitInterruptedException interrupted(Waiter self) {
        Thread.currentThread().interrupt();
        return new WaitInterruptedException("interrupted while waiting in this process for a turn at the row lock of "
                + self.row + "; nothing was written");
    }

    private void execute(List<Waiter> batch) {
        Waiter head = batch.get(0);
        try {
            if (!head.combinable()) {
                head.settle(head.alone.get(), null);
                return;
            }
            try {
                listener.ran(head.row, batch.size());
            } catch (RuntimeException listenerFailure) {
                LOG.warn("a locked-batch listener failed; the batch runs regardless", listenerFailure);
            }
            // The transaction carries other callers' changes: an interrupt meant for the head must not abort it.
            boolean interrupted = Thread.interrupted();
            try {
                head.locked.apply(row -> applyInTurn(batch, row));
            } finally {
                if (interrupted | Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                }
            }
        } catch (RuntimeException | Error failure) {
            for (Waiter waiter : batch) {
                waiter.settle(null, failure);
            }
        } finally {
            for (Waiter waiter : batch) {
                if (!waiter.settled) {
                    waiter.settle(null, new IllegalStateException("the locked transaction for " + waiter.row
                            + " ended without an outcome for this caller"));
                }
            }
        }
    }

    /**
     * The combined change: each caller's change applied to the row as the previous one left it. Pure in the sense
     * the repositories require: it may be applied more than once, and each application starts afresh.
     */
    private T applyInTurn(List<Waiter> batch, T row) {
        T current = row;
        for (Waiter waiter : batch) {
            try {
                T next = waiter.change.apply(current);
                waiter.settle(new Updated<>(current, next), null);
                current = next;
            } catch (RuntimeException failure) {
                waiter.settle(null, failure);
            }
        }
        return current;
    }

    /** Callers waiting for their turn, over all rows (a diagnostic; tests use it to know the queue is formed). */
    int waiting() {
        int count = 0;
        for (RowQueue queue : queues.values()) {
            synchronized (queue) {
                count += queue.waiting.size();
            }
        }
        return count;
    }

    /** Rows with a queue at this moment (a diagnostic; tests use it to see queues dropped when idle). */
    int rowsQueued() {
        return queues.size();
    }

    private final class RowQueue {
        /** Guarded by this queue's monitor: whether a head is running a transaction. */
        boolean running;
        /** Guarded by this queue's monitor: dropped from the map; an arrival that still finds it looks again. */
        boolean retired;
        /** Guarded by this queue's monitor: callers waiting for their turn, oldest first. */
        final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    }

    /** One caller's locked attempt. Results are written before {@link #signal}, whose volatile write publishes them. */
    private final class Waiter {
        static final int WAITING = 0;
        static final int HEAD = 1;
        static final int DONE = 2;

        final K row;
        final UnaryOperator<T> change;
        final LockedUpdate<T> locked;
        final Supplier<?> alone;
        private final Thread thread = Thread.currentThread();
        volatile int state = WAITING;
        Object result;
        Throwable failure;
        boolean settled;

        Waiter(K row, UnaryOperator<T> change, LockedUpdate<T> locked, Supplier<?> alone) {
            this.row = row;
            this.change = change;
            this.locked = locked;
            this.alone = alone;
        }

        boolean combinable() {
            return change != null;
        }

        void settle(Object newResult, Throwable newFailure) {
            result = newResult;
            failure = newFailure;
            settled = true;
        }

        void signal(int newState) {
            state = newState;
            LockSupport.unpark(thread);
        }

        Object outcome() {
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            return result;
        }
    }
}
