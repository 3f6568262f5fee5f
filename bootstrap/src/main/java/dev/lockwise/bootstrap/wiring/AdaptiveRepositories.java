package dev.lockwise.bootstrap.wiring;

import dev.lockwise.adapter.jooq.JooqAccountRepository;
import dev.lockwise.adapter.jooq.JooqVerFactRepository;
import dev.lockwise.adapter.pessimistic.PessimisticAccountRepository;
import dev.lockwise.adapter.pessimistic.PessimisticVerFactRepository;
import dev.lockwise.application.AdaptiveAccountRepository;
import dev.lockwise.application.AdaptiveVerFactRepository;
import dev.lockwise.application.HotRows;
import dev.lockwise.application.LockwiseEvents;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.verfact.VerFactRepository;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * The {@code adaptive} strategy's repositories: the optimistic (jOOQ) and the pessimistic (JDBC) adapter composed by
 * the application's adaptive path, each with a hot-row memory of its own. One place for the Guice module and for the
 * plain-Java {@link dev.lockwise.bootstrap.Lockwise}.
 */
public final class AdaptiveRepositories {
    private AdaptiveRepositories() {
    }

    public static AccountRepository accounts(DataSource dataSource, Duration lockTimeout, HotRows hotRows,
                                             LockwiseEvents events) {
        return new AdaptiveAccountRepository(new JooqAccountRepository(dataSource, lockTimeout),
                new PessimisticAccountRepository(dataSource, lockTimeout), hotRows, events);
    }

    public static VerFactRepository verFacts(DataSource dataSource, Duration lockTimeout, HotRows hotRows,
                                             LockwiseEvents events) {
        return new AdaptiveVerFactRepository(new JooqVerFactRepository(dataSource, lockTimeout),
                new PessimisticVerFactRepository(dataSource, lockTimeout), hotRows, events);
    }
}
