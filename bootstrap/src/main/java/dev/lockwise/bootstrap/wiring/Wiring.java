package dev.lockwise.bootstrap.wiring;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import dev.lockwise.application.LockwiseEvents;
import dev.lockwise.application.Strategy;
import dev.lockwise.bootstrap.config.Settings;
import io.micrometer.core.instrument.MeterRegistry;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;

/**
 * Chooses the modules from configuration. The strategy selects the persistence module here, by table lookup,
 * rather than by an {@code if} inside some module's {@code configure()}: switching strategy is a setting.
 */
public final class Wiring {
    private static final Map<Strategy, Module> PERSISTENCE = Map.of(
            Strategy.OPTIMISTIC, new OptimisticPersistenceModule(),
            Strategy.PESSIMISTIC, new PessimisticPersistenceModule(),
            Strategy.ADAPTIVE, new AdaptivePersistenceModule());

    private Wiring() {
    }

    public static Module persistenceModuleFor(Strategy strategy) {
        return PERSISTENCE.get(strategy);
    }

    public static List<Module> modules(Settings settings, DataSource dataSource, MeterRegistry registry,
                                       LockwiseEvents listener) {
        return List.of(new RuntimeModule(settings, dataSource, registry, listener),
                persistenceModuleFor(settings.strategy()),
                new ApplicationModule(),
                new LeaseLockModule());
    }

    public static Injector injector(Settings settings, DataSource dataSource, MeterRegistry registry,
                                    LockwiseEvents listener) {
        return Guice.createInjector(Stage.PRODUCTION, modules(settings, dataSource, registry, listener));
    }
}
