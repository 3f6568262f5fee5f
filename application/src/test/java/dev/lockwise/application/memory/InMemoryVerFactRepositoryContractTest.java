package dev.lockwise.application.memory;

import dev.lockwise.domain.verfact.VerFactRepository;
import dev.lockwise.testing.contract.VerFactRepositoryContract;

/** The in-memory facts keep the same contract as the database adapters. */
class InMemoryVerFactRepositoryContractTest extends VerFactRepositoryContract {
    private final InMemoryVerFactRepository facts = new InMemoryVerFactRepository();

    @Override
    protected VerFactRepository verFacts() {
        return facts;
    }
}
