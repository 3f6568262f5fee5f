package dev.lockwise.application.batch;

import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.domain.RowOutcome;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactRepository;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Verfacts with the batched strategy: concurrent set-as-processed attempts share one read and one write. */
public final class BatchedVerFactRepository implements VerFactRepository {
    private final VerFactRepository optimistic;
    private final RowBatches<VerFactId, VerFact> batches;

    /**
     * @param optimistic      the optimistic adapter, whose {@link VerFactRepository#updateEach} carries each batch
     * @param events          told of every batch
     * @param queueTimeout    how long a caller waits in this process for a place in a batch (the lock timeout)
     * @param batchesInFlight how many batches may run at once (each holds one pooled connection)
     */
    public BatchedVerFactRepository(VerFactRepository optimistic, LockwiseEvents events, Duration queueTimeout,
                                    int batchesInFlight) {
        this.optimistic = Objects.requireNonNull(optimistic, "optimistic");
        Objects.requireNonNull(events, "events");
        this.batches = new RowBatches<>("verfact writes", queueTimeout, batchesInFlight,
                (rows, attempts) -> events.rowBatch(Operation.SET_AS_PROCESSED, rows, attempts));
    }

    @Override
    public VerFact insert() {
        return optimistic.insert();
    }

    @Override
    public Optional<VerFact> find(VerFactId id) {
        return optimistic.find(id);
    }

    @Override
    public List<VerFact> findAll() {
        return optimistic.findAll();
    }

    @Override
    public List<VerFactId> findAllIds() {
        return optimistic.findAllIds();
    }

    @Override
    public Updated<VerFact> update(VerFactId id, UnaryOperator<VerFact> change) {
        return batches.update(id, change, optimistic::updateEach);
    }

    @Override
    public Map<VerFactId, RowOutcome<VerFact>> updateEach(Map<VerFactId, UnaryOperator<VerFact>> changes) {
        return optimistic.updateEach(changes);
    }
}
