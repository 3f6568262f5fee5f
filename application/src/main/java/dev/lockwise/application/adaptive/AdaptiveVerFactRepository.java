package dev.lockwise.application.adaptive;

import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.application.retry.Attempt;
import dev.lockwise.application.retry.RetryAwareVerFactRepository;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactRepository;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Verfacts with the adaptive strategy (see {@link AdaptivePath}). */
public final class AdaptiveVerFactRepository implements RetryAwareVerFactRepository {
    private final VerFactRepository optimistic;
    private final VerFactRepository pessimistic;
    private final AdaptivePath<VerFactId, VerFact> path;

    /**
     * @param optimistic  optimistic attempts without a lock: reads, inserts and the first attempt on a calm row (the
     *                    library passes the batched strategy's repository, so calm rows share cross-row batches)
     * @param pessimistic the row-locking adapter: attempts on hot rows and after a conflict
     * @param hotRows     the memory of hot rows, shared by nobody else
     * @param events      told of lock fallbacks and locked batches
     * @param lockTimeout how long a locked attempt waits in this process for its turn at the row (positive)
     */
    public AdaptiveVerFactRepository(VerFactRepository optimistic, VerFactRepository pessimistic, HotRows hotRows,
                                     LockwiseEvents events, Duration lockTimeout) {
        this.optimistic = Objects.requireNonNull(optimistic, "optimistic");
        this.pessimistic = Objects.requireNonNull(pessimistic, "pessimistic");
        this.path = new AdaptivePath<>(hotRows, events, Operation.SET_AS_PROCESSED, VerFactId::value,
                lockTimeout);
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
    public Updated<VerFact> update(VerFactId id, UnaryOperator<VerFact> change, Attempt attempt) {
        return path.update(id, attempt, change, () -> optimistic.update(id, change),
                combined -> pessimistic.update(id, combined));
    }
}
