package dev.lockwise.application;

import dev.lockwise.application.events.Operation;
import dev.lockwise.application.retry.Attempt;
import dev.lockwise.application.retry.ConflictRetry;
import dev.lockwise.application.retry.RetryAwareVerFactRepository;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactRepository;

import java.util.Objects;

/**
 * Marks a verfact processed. Of many concurrent callers exactly one wins; the others, after re-reading, learn that
 * it was already processed. An unknown id is an error ({@link dev.lockwise.domain.verfact.VerFactNotFoundException}).
 */
public final class SetAsProcessed {
    private final RetryAwareVerFactRepository facts;
    private final ConflictRetry retry;

    /**
     * @param facts the strategy's verfacts; a {@link RetryAwareVerFactRepository} is told about each attempt
     * @param retry runs the attempts
     */
    public SetAsProcessed(VerFactRepository facts, ConflictRetry retry) {
        this.facts = RetryAwareVerFactRepository.of(Objects.requireNonNull(facts, "facts"));
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    /**
     * Sets the fact processed, retrying attempts that lose a race.
     *
     * @param id the fact
     * @return whether this call processed it or found it processed already
     * @throws dev.lockwise.domain.verfact.VerFactNotFoundException if there is no such fact
     */
    public ProcessingOutcome process(VerFactId id) {
        Objects.requireNonNull(id, "id");
        Updated<VerFact> result = retry.call(Operation.SET_AS_PROCESSED,
                (Attempt attempt) -> facts.update(id, VerFact::process, attempt));
        return result.changed() ? ProcessingOutcome.PROCESSED_BY_THIS_CALL : ProcessingOutcome.ALREADY_PROCESSED;
    }
}
