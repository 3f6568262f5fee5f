package dev.lockwise.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.lockwise.adapter.jooq.JooqAccountRepository;
import dev.lockwise.adapter.jooq.JooqVerFactRepository;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.verfact.VerFactRepository;

import javax.sql.DataSource;

/** Persistence for the {@code optimistic} strategy: the jOOQ adapter. */
public final class OptimisticPersistenceModule extends AbstractModule {
    @Provides
    @Singleton
    AccountRepository accounts(DataSource dataSource) {
        return new JooqAccountRepository(dataSource);
    }

    @Provides
    @Singleton
    VerFactRepository verFacts(DataSource dataSource) {
        return new JooqVerFactRepository(dataSource);
    }
}
