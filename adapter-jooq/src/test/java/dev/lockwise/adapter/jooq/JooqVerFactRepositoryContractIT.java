package dev.lockwise.adapter.jooq;

import dev.lockwise.domain.verfact.VerFactRepository;
import dev.lockwise.testing.TestDatabase;
import dev.lockwise.testing.contract.VerFactRepositoryContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The verfact port's contract, against this adapter on a real PostgreSQL. */
class JooqVerFactRepositoryContractIT extends VerFactRepositoryContract {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(8);

    @Override
    protected VerFactRepository verFacts() {
        return new JooqVerFactRepository(DB.dataSource());
    }
}
