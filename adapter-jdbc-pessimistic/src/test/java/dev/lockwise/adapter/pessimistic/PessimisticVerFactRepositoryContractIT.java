package dev.lockwise.adapter.pessimistic;

import dev.lockwise.domain.verfact.VerFactRepository;
import dev.lockwise.testing.TestDatabase;
import dev.lockwise.testing.contract.VerFactRepositoryContract;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

/** The verfact port's contract, against this adapter on a real PostgreSQL. */
class PessimisticVerFactRepositoryContractIT extends VerFactRepositoryContract {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(8);

    @Override
    protected VerFactRepository verFacts() {
        return new PessimisticVerFactRepository(DB.dataSource(), Duration.ofSeconds(5));
    }
}
