package dev.lockwise.cli;

import com.google.inject.Injector;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.adaptive.HotRows;
import dev.lockwise.application.events.CompositeEvents;
import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.bootstrap.LockwiseOptions;
import dev.lockwise.bootstrap.metrics.MicrometerEvents;
import dev.lockwise.bootstrap.wiring.Wiring;
import dev.lockwise.cli.config.Settings;
import dev.lockwise.cli.db.DatabaseRuntime;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.lease.LeaseLock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;

/**
 * One command's running world: the database (pool, embedded server if any), the meter registry and an injector
 * per strategy in use (normally just the configured one; the demo's {@code --compare} uses all). Closed when the
 * command ends.
 */
final class Session implements AutoCloseable {
    final Settings settings;
    final DatabaseRuntime database;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final CountingEvents counts = new CountingEvents();
    private final LockwiseEvents listener;
    private final LockwiseEvents metered;
    private final Map<Strategy, Injector> injectors = new EnumMap<>(Strategy.class);

    /**
     * @param use     what the command does with the database (see {@link DatabaseRuntime.Use})
     * @param purpose the command's name, for the notices
     * @param notices where notices for the user go (stderr): the embedded server's, the scratch database's
     */
    Session(Settings settings, DatabaseRuntime.Use use, String purpose, PrintWriter notices, LockwiseEvents narrator) {
        this.settings = settings;
        this.listener = CompositeEvents.of(counts, narrator);
        this.metered = CompositeEvents.of(listener, new MicrometerEvents(meters));
        this.database = DatabaseRuntime.start(settings, use, purpose, line -> {
            notices.println(line);
            notices.flush();
        });
        try {
            injector(settings.strategy());
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** The injector wired for {@code strategy} on this session's database, reporting to the meters and counts. */
    synchronized Injector injector(Strategy strategy) {
        return injectors.computeIfAbsent(strategy, s -> Wiring.injector(database.dataSource(), options(s, metered)));
    }

    /** The library's options as this command's settings say, for {@code strategy}, reporting to {@code events}. */
    LockwiseOptions options(Strategy strategy, LockwiseEvents events) {
        return new LockwiseOptions(strategy, settings.retryPolicy(), settings.lockTimeout(), settings.leaseTable(),
                HotRows.DEFAULT_CAPACITY, settings.adaptiveCooldown(), events);
    }

    /**
     * A plain-Java {@link Lockwise} on this session's database, configured from its settings, for commands that drive
     * several strategies or host the use cases themselves. The caller closes it.
     */
    Lockwise lockwise(Strategy strategy, LockwiseEvents events) {
        return Lockwise.builder(database.dataSource()).options(options(strategy, events)).build();
    }

    <T> T get(Class<T> type) {
        return injector(settings.strategy()).getInstance(type);
    }

    @Override
    public void close() {
        injectors.values().forEach(injector -> {
            injector.getInstance(RunExclusive.class).close();
            injector.getInstance(LeaseLock.class).close();
        });
        database.close();
        meters.close();
    }
}
