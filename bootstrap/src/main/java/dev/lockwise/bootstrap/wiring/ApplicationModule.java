package dev.lockwise.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.lockwise.application.ConflictRetry;
import dev.lockwise.application.Deposit;
import dev.lockwise.application.OpenAccount;
import dev.lockwise.application.RecordVerFact;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.bootstrap.config.Settings;
import dev.lockwise.application.LockwiseEvents;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.verfact.VerFactRepository;

/** The use cases, built from whichever repositories the persistence module bound. */
public final class ApplicationModule extends AbstractModule {
    @Provides
    @Singleton
    ConflictRetry conflictRetry(Settings settings, LockwiseEvents events) {
        return new ConflictRetry(settings.retryPolicy(), settings.strategy(), events);
    }

    @Provides
    @Singleton
    Deposit deposit(AccountRepository accounts, ConflictRetry retry) {
        return new Deposit(accounts, retry);
    }

    @Provides
    @Singleton
    OpenAccount openAccount(AccountRepository accounts) {
        return new OpenAccount(accounts);
    }

    @Provides
    @Singleton
    RecordVerFact recordVerFact(VerFactRepository facts) {
        return new RecordVerFact(facts);
    }

    @Provides
    @Singleton
    SetAsProcessed setAsProcessed(VerFactRepository facts, ConflictRetry retry) {
        return new SetAsProcessed(facts, retry);
    }
}
