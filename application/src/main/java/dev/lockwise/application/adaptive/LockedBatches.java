package dev.lockwise.application.adaptive;

import dev.lockwise.domain.Updated;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
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
 *   <li>Queues are per stripe (a fixed set, chosen by the row), so memory does not grow with the number of rows;
 *       only attempts on an equal row are combined, and rows that share a stripe take turns.</li>
 *   <li>At most {@link #MAX_BATCH} changes per transaction, so one transaction stays short.</li>
 *   <li>A change that throws fails only its own caller; the others are applied and written.</li>
 *   <li>If the transaction fails (lock timeout, lost connection, no such row…), every caller in it gets that
 *       failure, exactly as if each had run alone at that moment; their retries decide what happens next.</li>
 *   <li>The head waits for nobody: it takes what is queued when it starts. When it is done it hands the turn to the
 *       oldest waiter and returns, so no caller serves others for longer than its own transaction.</li>
 *   <li>Waiting is not interruptible (as with {@code Lock.lock()}): a queued change may already be inside a running
 *       transaction, and its caller must learn the outcome. The interrupt status is kept.</li>
 * </ul>
 *
 * <p>Between processes nothing is combined; PostgreSQL's row lock still excludes them from one another.
 *
 * @param <K> what identifies a row (equal keys, same row)
 * @param <T> the row type
 */
final class LockedBatches<K, T> {
    /** Fixed: memory does not grow with the number of rows. */
    static final int STRIPES = 256;
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

    private final List<Stripe> stripes = new ArrayList<>(STRIPES);
    private final BatchListener<K> listener;

    LockedBatches(BatchListener<K> listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        for (int i = 0; i < STRIPES; i++) {
            stripes.add(new Stripe());
        }
    }

    /**
     * One locked attempt at {@code change} on {@code row}, possibly in the same transaction as other callers' changes
     * to an equal row.
     *
     * @param row    identifies the row; attempts are combined only when their rows are equal
     * @param locked runs a (combined) change under the row lock; called by whichever caller is at the head
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
     * queues with the others on its row's stripe and runs alone.
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
        Stripe stripe = stripes.get(stripeOf(self.row));
        boolean head;
        synchronized (stripe) {
            head = !stripe.running;
            if (head) {
                stripe.running = true;
            } else {
                stripe.waiting.addLast(self);
            }
        }
        if (!head && self.awaitTurn() == Waiter.DONE) {
            return;
        }
        List<Waiter> batch = new ArrayList<>();
        batch.add(self);
        if (self.combinable()) {
            synchronized (stripe) {
                for (Iterator<Waiter> it = stripe.waiting.iterator(); it.hasNext() && batch.size() < MAX_BATCH; ) {
                    Waiter other = it.next();
                    if (other.combinable() && other.row.equals(self.row)) {
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
            synchronized (stripe) {
                next = stripe.waiting.pollFirst();
                if (next == null) {
                    stripe.running = false;
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

    private void execute(List<Waiter> batch) {
        Waiter head = batch.get(0);
        if (!head.combinable()) {
            try {
                head.result = head.alone.get();
            } catch (RuntimeException | Error failure) {
                head.failure = failure;
            }
            return;
        }
        listener.ran(head.row, batch.size());
        try {
            head.locked.apply(row -> applyInTurn(batch, row));
        } catch (RuntimeException | Error failure) {
            for (Waiter waiter : batch) {
                waiter.result = null;
                waiter.failure = failure;
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
                waiter.result = new Updated<>(current, next);
                waiter.failure = null;
                current = next;
            } catch (RuntimeException failure) {
                waiter.result = null;
                waiter.failure = failure;
            }
        }
        return current;
    }

    /** Callers waiting for their turn, over all stripes (a diagnostic; tests use it to know the queue is formed). */
    int waiting() {
        int count = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                count += stripe.waiting.size();
            }
        }
        return count;
    }

    static int stripeOf(Object row) {
        long mixed = row.hashCode() * 0x9E3779B97F4A7C15L;
        return (int) (mixed >>> 32) & (STRIPES - 1);
    }

    private final class Stripe {
        /** Guarded by this stripe's monitor: whether a head is running a transaction. */
        boolean running;
        /** Guarded by this stripe's monitor: callers waiting for their turn, oldest first. */
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
        private volatile int state = WAITING;
        Object result;
        Throwable failure;

        Waiter(K row, UnaryOperator<T> change, LockedUpdate<T> locked, Supplier<?> alone) {
            this.row = row;
            this.change = change;
            this.locked = locked;
            this.alone = alone;
        }

        boolean combinable() {
            return change != null;
        }

        void signal(int newState) {
            state = newState;
            LockSupport.unpark(thread);
        }

        int awaitTurn() {
            boolean interrupted = false;
            int seen;
            while ((seen = state) == WAITING) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return seen;
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
