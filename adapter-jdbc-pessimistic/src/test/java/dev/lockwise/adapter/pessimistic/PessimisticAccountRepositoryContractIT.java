package dev.lockwise.adapter.pessimistic;

import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.testing.TestDatabase;
import dev.lockwise.testing.contract.AccountRepositoryContract;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

/** The account port's contract, against this adapter on a real PostgreSQL. */
class PessimisticAccountRepositoryContractIT extends AccountRepositoryContract {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(8);

    @Override
    protected AccountRepository accounts() {
        return new PessimisticAccountRepository(DB.dataSource(), Duration.ofSeconds(5));
    }
}
