package dev.lockwise.application.retry;

import dev.lockwise.domain.Updated;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactRepository;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Verfacts whose attempts depend on how the previous attempt of the same call ended (the adaptive strategy).
 * {@link dev.lockwise.application.SetAsProcessed SetAsProcessed} passes each {@link Attempt} it gets from {@link ConflictRetry}; called through the plain
 * port, an attempt counts as a first one.
 */
public interface RetryAwareVerFactRepository extends VerFactRepository {
    /**
     * As {@link VerFactRepository#update}, for this attempt of a call.
     *
     * @param id      the fact
     * @param change  the pure change to apply
     * @param attempt which attempt this is, and whether the one before it conflicted
     * @return the fact before and after
     */
    Updated<VerFact> update(VerFactId id, UnaryOperator<VerFact> change, Attempt attempt);

    @Override
    default Updated<VerFact> update(VerFactId id, UnaryOperator<VerFact> change) {
        return update(id, change, Attempt.FIRST);
    }

    /**
     * {@code facts} as a repository that takes attempts: itself if it does, else one that ignores them.
     *
     * @param facts any verfacts
     * @return a repository that can be told about attempts
     */
    static RetryAwareVerFactRepository of(VerFactRepository facts) {
        if (facts instanceof RetryAwareVerFactRepository aware) {
            return aware;
        }
        return new RetryAwareVerFactRepository() {
            @Override
            public Updated<VerFact> update(VerFactId id, UnaryOperator<VerFact> change, Attempt attempt) {
                return facts.update(id, change);
            }

            @Override
            public VerFact insert() {
                return facts.insert();
            }

            @Override
            public Optional<VerFact> find(VerFactId id) {
                return facts.find(id);
            }

            @Override
            public List<VerFact> findAll() {
                return facts.findAll();
            }

            @Override
            public List<VerFactId> findAllIds() {
                return facts.findAllIds();
            }
        };
    }
}
