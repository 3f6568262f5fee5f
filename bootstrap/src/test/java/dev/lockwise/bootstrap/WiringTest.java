package dev.lockwise.bootstrap;

import com.google.inject.Injector;
import dev.lockwise.adapter.jooq.JooqAccountRepository;
import dev.lockwise.adapter.pessimistic.PessimisticAccountRepository;
import dev.lockwise.application.AdaptiveAccountRepository;
import dev.lockwise.application.Deposit;
import dev.lockwise.application.LockwiseEvents;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.bootstrap.config.Setting;
import dev.lockwise.bootstrap.config.Settings;
import dev.lockwise.bootstrap.wiring.Wiring;
import dev.lockwise.domain.account.AccountRepository;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Switching strategy is a setting: the same wiring binds a different adapter, and no module touches the database. */
class WiringTest {

    @ParameterizedTest
    @CsvSource({"optimistic,JooqAccountRepository", "pessimistic,PessimisticAccountRepository",
            "adaptive,AdaptiveAccountRepository"})
    void theStrategySettingChoosesThePersistenceModule(String strategy, String repositoryClass) {
        Settings settings = Settings.load(Map.of(Setting.STRATEGY, strategy), Map.of(), Optional.empty());
        // A data source that points nowhere: building the injector must not connect.
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none");
        Injector injector = Wiring.injector(settings, nowhere, new SimpleMeterRegistry(), LockwiseEvents.NONE);
        try {
            assertThat(injector.getInstance(AccountRepository.class).getClass().getSimpleName())
                    .isEqualTo(repositoryClass);
            assertThat(injector.getInstance(Deposit.class)).isNotNull();
            assertThat(injector.getInstance(SetAsProcessed.class)).isNotNull();
            assertThat(injector.getInstance(Deposit.class)).isSameAs(injector.getInstance(Deposit.class));
        } finally {
            injector.getInstance(RunExclusive.class).close();
        }
    }

    @SuppressWarnings("unused")
    private static final Class<?>[] REFERENCED = {JooqAccountRepository.class, PessimisticAccountRepository.class,
            AdaptiveAccountRepository.class};
}
