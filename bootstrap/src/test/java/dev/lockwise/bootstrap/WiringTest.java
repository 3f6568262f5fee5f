package dev.lockwise.bootstrap;

import com.google.inject.Injector;
import dev.lockwise.application.Deposit;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.bootstrap.wiring.Wiring;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.lease.LeaseLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Switching strategy is an option: the Guice module and the builder build the same adapters through the same
 * factory, nothing connects while wiring, and every option is validated once, whatever the strategy.
 */
class WiringTest {
    /** A data source that points nowhere: building must not connect. */
    private static PGSimpleDataSource nowhere() {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none");
        return nowhere;
    }

    @ParameterizedTest
    @CsvSource({"OPTIMISTIC,JooqAccountRepository", "PESSIMISTIC,PessimisticAccountRepository",
            "ADAPTIVE,AdaptiveAccountRepository"})
    void theStrategyOptionChoosesTheAdapters(Strategy strategy, String repositoryClass) {
        LockwiseOptions options = LockwiseOptions.DEFAULTS.withStrategy(strategy);
        Injector injector = Wiring.injector(nowhere(), options);
        try {
            assertThat(injector.getInstance(AccountRepository.class).getClass().getSimpleName())
                    .isEqualTo(repositoryClass);
            assertThat(LockwiseAssembly.accounts(nowhere(), options).getClass().getSimpleName())
                    .as("the builder's factory").isEqualTo(repositoryClass);
            assertThat(injector.getInstance(Deposit.class)).isNotNull();
            assertThat(injector.getInstance(SetAsProcessed.class)).isNotNull();
            assertThat(injector.getInstance(Deposit.class)).isSameAs(injector.getInstance(Deposit.class));
            assertThat(injector.getInstance(LockwiseOptions.class)).isSameAs(options);
        } finally {
            injector.getInstance(RunExclusive.class).close();
            injector.getInstance(LeaseLock.class).close();
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aBadLockTimeoutIsRefusedWhateverTheStrategy(Strategy strategy) {
        LockwiseOptions options = LockwiseOptions.DEFAULTS.withStrategy(strategy);
        for (Duration bad : new Duration[] {Duration.ofMillis(-1), Duration.ZERO, Duration.ofMinutes(11), null}) {
            assertThatThrownBy(() -> options.withLockTimeout(bad)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("lock timeout");
            assertThatThrownBy(() -> Lockwise.builder(nowhere()).strategy(strategy).lockTimeout(bad))
                    .isInstanceOf(InvalidInputException.class);
        }
    }

    @Test
    void badHotRowsAndMissingOptionsAreRefused() {
        assertThatThrownBy(() -> LockwiseOptions.DEFAULTS.withHotRows(1000, Duration.ofMillis(20)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> LockwiseOptions.DEFAULTS.withHotRows(1024, Duration.ZERO))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> LockwiseOptions.DEFAULTS.withStrategy(null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("strategy");
        assertThatThrownBy(() -> LockwiseOptions.DEFAULTS.withEvents(null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("events");
    }

    @Test
    void theBuilderKeepsTheOptionsItWasGiven() {
        LockwiseOptions options = LockwiseOptions.DEFAULTS.withStrategy(Strategy.PESSIMISTIC)
                .withLockTimeout(Duration.ofMillis(250));
        try (Lockwise lockwise = Lockwise.builder(nowhere()).options(options).build()) {
            assertThat(lockwise.options()).isEqualTo(options);
            assertThat(lockwise.strategy()).isEqualTo(Strategy.PESSIMISTIC);
        }
    }
}
