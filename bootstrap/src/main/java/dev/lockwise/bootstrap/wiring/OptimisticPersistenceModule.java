package dev.lockwise.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.lockwise.adapter.jooq.JooqAccountRepository;
import dev.lockwise.adapter.jooq.JooqVerFactRepository;
import dev.lockwise.bootstrap.config.Settings;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.verfact.VerFactRepository;

import javax.sql.DataSource;

/** Persistence for the {@code optimistic} strategy: the jOOQ adapter. */
public final class OptimisticPersistenceModule extends AbstractModule {
    @Provides
    @Singleton
    AccountRepository accounts(DataSource dataSource, Settings settings) {
        return new JooqAccountRepository(dataSource, settings.lockTimeout());
    }

    @Provides
    @Singleton
    VerFactRepository verFacts(DataSource dataSource, Settings settings) {
        return new JooqVerFactRepository(dataSource, settings.lockTimeout());
    }
}
