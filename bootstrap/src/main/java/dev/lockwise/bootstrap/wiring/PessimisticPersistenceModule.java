package dev.lockwise.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.lockwise.adapter.pessimistic.PessimisticAccountRepository;
import dev.lockwise.adapter.pessimistic.PessimisticVerFactRepository;
import dev.lockwise.bootstrap.config.Settings;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.verfact.VerFactRepository;

import javax.sql.DataSource;

/** Persistence for the {@code pessimistic} strategy: the plain-JDBC adapter with row locks. */
public final class PessimisticPersistenceModule extends AbstractModule {
    @Provides
    @Singleton
    AccountRepository accounts(DataSource dataSource, Settings settings) {
        return new PessimisticAccountRepository(dataSource, settings.lockTimeout());
    }

    @Provides
    @Singleton
    VerFactRepository verFacts(DataSource dataSource, Settings settings) {
        return new PessimisticVerFactRepository(dataSource, settings.lockTimeout());
    }
}
