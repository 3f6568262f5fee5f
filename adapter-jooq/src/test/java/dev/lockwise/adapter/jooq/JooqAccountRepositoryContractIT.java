package dev.lockwise.adapter.jooq;

import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.testing.TestDatabase;
import dev.lockwise.testing.contract.AccountRepositoryContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The account port's contract, against this adapter on a real PostgreSQL. */
class JooqAccountRepositoryContractIT extends AccountRepositoryContract {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(8);

    @Override
    protected AccountRepository accounts() {
        return new JooqAccountRepository(DB.dataSource());
    }
}
