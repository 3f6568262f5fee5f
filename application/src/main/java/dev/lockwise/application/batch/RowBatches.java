package dev.lockwise.application.batch;

import dev.lockwise.domain.RowOutcome;
import dev.lockwise.domain.Updated;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The batched strategy's group commit in the client: concurrent optimistic attempts of one process, on any rows, are
 * carried by one multi-row attempt of the repository — one read of every row, one write of every changed row, each
 * row's version checked on its own, one commit.
 *
 * <p>How a batch forms: see {@link BatchQueues} (one queue for all rows, {@code batchesInFlight} batches at once). A
 * caller that finds a free slot runs at once with whatever is queued; the others queue while batches are in flight
 * and are taken by the next head, so a batch grows with the load and costs no waiting when the load is light.
 *
 * <p>Per caller, the outcome is its own, as if it had run alone:
 * <ul>
 *   <li>Callers on the same row in one batch are applied one after the other to the row as read, and the row is
 *       written once with the last result (its version advanced once per change); each caller gets the row as its
 *       own change found and left it.</li>
 *   <li>A row whose version changed since the read (another process wrote it) is not written: its callers get
 *       {@link dev.lockwise.domain.ConcurrentUpdateException} and retry, alone or in a later batch; the batch's other
 *       rows are written.</li>
 *   <li>A change that throws fails only its own caller.</li>
 *   <li>If the statements fail (a lost connection, a lock timeout), every caller of the batch gets that failure, as
 *       if each had run alone at that moment; what was committed is as unknown to them as to a single caller.</li>
 * </ul>
 *
 * @param <K> what identifies a row
 * @param <T> the row type
 */
final class RowBatches<K, T> {
    private static final Logger LOG = LoggerFactory.getLogger(RowBatches.class);

    /** The most attempts one batch carries: the read and write stay one short statement each. */
    static final int MAX_BATCH = 64;

    /** One multi-row attempt of the repository: {@code AccountRepository.updateEach} and its like. */
    @FunctionalInterface
    interface EachUpdate<K, T> {
        Map<K, RowOutcome<T>> apply(Map<K, UnaryOperator<T>> changes);
    }

    /** Told, by the head, how many rows and attempts one batch carried. */
    @FunctionalInterface
    interface BatchListener {
        void ran(int rows, int attempts);
    }

    private final BatchQueues<String> queues;
    private final String rows;
    private final BatchListener listener;

    /**
     * @param rows            what the rows are, for messages ("account writes")
     * @param queueTimeout    how long a caller waits for a place in a batch before it gives up (positive)
     * @param batchesInFlight how many batches may run at once (each holds one pooled connection)
     * @param listener        told of every batch; its failures are logged and ignored
     */
    RowBatches(String rows, Duration queueTimeout, int batchesInFlight, BatchListener listener) {
        this.rows = Objects.requireNonNull(rows, "rows");
        this.queues = new BatchQueues<>(queueTimeout, batchesInFlight, MAX_BATCH, "a place in a batch of");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * One optimistic attempt at {@code change} on {@code row}, possibly in one statement with other callers'.
     *
     * @param row    the row to change
     * @param change this caller's change, pure
     * @param each   one multi-row attempt; called by whichever caller heads the batch
     * @return the row as this caller's change found it and as it left it
     */
    Updated<T> update(K row, UnaryOperator<T> change, EachUpdate<K, T> each) {
        Member member = new Member(Objects.requireNonNull(row, "row"), Objects.requireNonNull(change, "change"),
                Objects.requireNonNull(each, "each"));
        @SuppressWarnings("unchecked")
        Updated<T> updated = (Updated<T>) queues.join(rows, member, this::execute);
        return updated;
    }

    private void execute(List<Member> batch) {
        Map<K, List<Member>> byRow = new LinkedHashMap<>();
        for (Member member : batch) {
            byRow.computeIfAbsent(member.row, unused -> new ArrayList<>()).add(member);
        }
        Map<K, UnaryOperator<T>> changes = new LinkedHashMap<>();
        byRow.forEach((row, members) -> changes.put(row,
                read -> BatchQueues.applyInTurn(members, member -> member.change, read)));
        try {
            listener.ran(byRow.size(), batch.size());
        } catch (RuntimeException listenerFailure) {
            LOG.warn("a batch listener failed; the batch runs regardless", listenerFailure);
        }
        // The statements carry other callers' changes: an interrupt meant for the head must not abort them.
        boolean interrupted = Thread.interrupted();
        Map<K, RowOutcome<T>> outcomes;
        try {
            outcomes = batch.get(0).each.apply(changes);
        } finally {
            if (interrupted | Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
        byRow.forEach((row, members) -> {
            RowOutcome<T> outcome = outcomes.get(row);
            if (outcome == null) {
                members.forEach(member -> member.settle(null, new IllegalStateException("the batch's statements"
                        + " reported nothing for " + row)));
            } else if (outcome.failure() != null) {
                members.forEach(member -> member.settle(null, outcome.failure()));
            }
        });
    }

    /** Callers waiting for a place in a batch (a diagnostic for tests). */
    int waiting() {
        return queues.waiting();
    }

    private final class Member extends BatchQueues.Member {
        final K row;
        final UnaryOperator<T> change;
        final EachUpdate<K, T> each;

        Member(K row, UnaryOperator<T> change, EachUpdate<K, T> each) {
            this.row = row;
            this.change = change;
            this.each = each;
        }

        @Override
        protected boolean combinable() {
            return true;
        }
    }
}
