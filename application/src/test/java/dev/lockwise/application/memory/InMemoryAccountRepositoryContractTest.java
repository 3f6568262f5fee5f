package dev.lockwise.application.memory;

import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.testing.contract.AccountRepositoryContract;

/** The in-memory stand-in keeps the same contract as the database adapters, or the fast tests would prove nothing. */
class InMemoryAccountRepositoryContractTest extends AccountRepositoryContract {
    private final InMemoryAccountRepository accounts = new InMemoryAccountRepository();

    @Override
    protected AccountRepository accounts() {
        return accounts;
    }
}
