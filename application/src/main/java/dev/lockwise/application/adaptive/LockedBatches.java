package dev.lockwise.application.adaptive;

import dev.lockwise.application.batch.BatchQueues;
import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.WaitInterruptedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
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
 * <p>Rules (the queueing ones are {@link BatchQueues}'s, with one queue per row and one transaction in flight per
 * row):
 * <ul>
 *   <li>One queue per row that has callers, made when the first arrives and dropped when the last leaves: a busy row
 *       never holds up another row.</li>
 *   <li>At most {@link #MAX_BATCH} changes per transaction, so one transaction stays short.</li>
 *   <li>A change that throws fails only its own caller; the others are applied and written.</li>
 *   <li>If the transaction fails (lock timeout, lost connection, no such row…), every caller in it gets that
 *       failure, exactly as if each had run alone at that moment; their retries decide what happens next.</li>
 *   <li>The head waits for nobody: it takes what is queued when it starts.</li>
 *   <li>A caller not yet taken into a transaction waits at most the queue timeout (the lock timeout: how long a
 *       caller is prepared to wait for the row) and leaves with {@link LockWaitTimeoutException}; interrupted, it
 *       leaves at once with {@link WaitInterruptedException}. Either way nothing was written for it. Once taken into
 *       a transaction, it waits for the outcome whatever happens, as its change may already be committed.</li>
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

    private final BatchQueues<K> queues;
    private final BatchListener<K> listener;

    /**
     * @param queueTimeout how long a caller waits in this process for its turn before it gives up (positive)
     * @param listener     told of every combined transaction; its failures are logged and ignored
     */
    LockedBatches(Duration queueTimeout, BatchListener<K> listener) {
        this.queues = new BatchQueues<>(queueTimeout, 1, MAX_BATCH, "a turn at the row lock of");
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
        @SuppressWarnings("unchecked")
        Updated<T> updated = (Updated<T>) queues.join(Objects.requireNonNull(row, "row"),
                new Waiter(row, change, locked, null), this::execute);
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
        @SuppressWarnings("unchecked")
        R result = (R) queues.join(Objects.requireNonNull(row, "row"),
                new Waiter(row, null, null, Objects.requireNonNull(locked, "locked")), this::execute);
        return result;
    }

    private void execute(List<Waiter> batch) {
        Waiter head = batch.get(0);
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
            head.locked.apply(row -> BatchQueues.applyInTurn(batch, waiter -> waiter.change, row));
        } finally {
            if (interrupted | Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Callers waiting for their turn, over all rows (a diagnostic; tests use it to know the queue is formed). */
    int waiting() {
        return queues.waiting();
    }

    /** Rows with a queue at this moment (a diagnostic; tests use it to see queues dropped when idle). */
    int rowsQueued() {
        return queues.keysQueued();
    }

    /** One caller's locked attempt: a change to combine, or a whole attempt to run alone. */
    private final class Waiter extends BatchQueues.Member {
        final K row;
        final UnaryOperator<T> change;
        final LockedUpdate<T> locked;
        final Supplier<?> alone;

        Waiter(K row, UnaryOperator<T> change, LockedUpdate<T> locked, Supplier<?> alone) {
            this.row = row;
            this.change = change;
            this.locked = locked;
            this.alone = alone;
        }

        @Override
        protected boolean combinable() {
            return change != null;
        }
    }
}
