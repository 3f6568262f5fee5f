package dev.lockwise.bootstrap.wiring;

import com.google.inject.AbstractModule;
import dev.lockwise.application.CompositeEvents;
import dev.lockwise.application.LockwiseEvents;
import dev.lockwise.bootstrap.config.Settings;
import dev.lockwise.bootstrap.metrics.MicrometerEvents;
import io.micrometer.core.instrument.MeterRegistry;

import javax.sql.DataSource;
import java.util.Objects;

/**
 * What main creates before the injector and hands in: the settings, the data source (HikariCP, opened by
 * {@link dev.lockwise.bootstrap.db.DatabaseRuntime}) and the meter registry. Binding instances keeps every module
 * free of side effects: no connection is opened and nothing is migrated inside {@code configure()}.
 */
public final class RuntimeModule extends AbstractModule {
    private final Settings settings;
    private final DataSource dataSource;
    private final MeterRegistry meterRegistry;
    private final LockwiseEvents listener;

    /** @param listener receives every event besides Micrometer (the demo's narrator and counters) */
    public RuntimeModule(Settings settings, DataSource dataSource, MeterRegistry meterRegistry,
                         LockwiseEvents listener) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    protected void configure() {
        bind(Settings.class).toInstance(settings);
        bind(DataSource.class).toInstance(dataSource);
        bind(MeterRegistry.class).toInstance(meterRegistry);
        bind(LockwiseEvents.class).toInstance(CompositeEvents.of(new MicrometerEvents(meterRegistry), listener));
    }
}
