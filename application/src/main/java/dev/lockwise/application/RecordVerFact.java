package dev.lockwise.application;

import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactRepository;

import java.util.Objects;

/** Inserts a new, unprocessed verfact (version 1). */
public final class RecordVerFact {
    private final VerFactRepository facts;

    /** @param facts where verfacts are stored */
    public RecordVerFact(VerFactRepository facts) {
        this.facts = Objects.requireNonNull(facts, "facts");
    }

    /** @return the new fact as inserted: unprocessed, version 1 */
    public VerFact record() {
        return facts.insert();
    }
}
