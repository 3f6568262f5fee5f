package dev.lockwise.application.memory;

import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.testing.contract.AccountRepositoryContract;

/**
 * The port contract run against {@link InMemoryAccountRepository#losingUpdates()}. Not a test of its own (its name
 * matches no test pattern): {@link ContractsCatchBrokenRepositoriesTest} runs it and expects the failures.
 */
class LostUpdateContractRun extends AccountRepositoryContract {
    private final InMemoryAccountRepository accounts = InMemoryAccountRepository.losingUpdates();

    @Override
    protected AccountRepository accounts() {
        return accounts;
    }
}
