package dev.lockwise.domain.verfact;

import dev.lockwise.domain.RowOutcome;
import dev.lockwise.domain.Updated;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Verfact rows. Shaped like {@link dev.lockwise.domain.account.AccountRepository} and for the same reason: the
 * adapter owns how a read-modify-write is kept safe (version check or row lock), the domain owns the change.
 * {@link #update} is one attempt; an equal result means "nothing to do" and writes nothing.
 */
public interface VerFactRepository {

    /** @return a new, unprocessed fact with version 1, as inserted */
    VerFact insert();

    /**
     * @param id the fact's id
     * @return the fact as stored, or empty if there is none with that id
     */
    Optional<VerFact> find(VerFactId id);

    /** @return every fact, ordered by id (for reports; not meant for large tables) */
    List<VerFact> findAll();

    /** @return the ids of every fact (so that workers can pick one at random) */
    List<VerFactId> findAllIds();

    /**
     * One attempt at a safe read-modify-write.
     *
     * @param id     the fact to change
     * @param change the change, pure: it may be applied to a re-read row
     * @return the fact as read and as written (equal when there was nothing to do)
     * @throws VerFactNotFoundException if there is no such fact
     */
    Updated<VerFact> update(VerFactId id, UnaryOperator<VerFact> change);

    /**
     * One attempt at several facts at once, each with its own change; as {@link
     * dev.lockwise.domain.account.AccountRepository#updateEach} for accounts. The default runs one attempt per row.
     *
     * @param changes the change per fact; each pure
     * @return the outcome per fact, one for each key of {@code changes}
     * @throws dev.lockwise.domain.LockwiseException if the statements themselves failed; then no outcome is known
     */
    default Map<VerFactId, RowOutcome<VerFact>> updateEach(Map<VerFactId, UnaryOperator<VerFact>> changes) {
        return RowOutcome.eachAlone(changes, change -> update(change.getKey(), change.getValue()));
    }
}
