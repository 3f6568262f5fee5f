package dev.lockwise.bootstrap.wiring;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.lockwise.bootstrap.LockwiseOptions;

import javax.sql.DataSource;

/** An injector with Lockwise's module, for hosts (and the command line) that wire with Guice. */
public final class Wiring {
    private Wiring() {
    }

    /**
     * A production-stage injector with {@link LockwiseModule}, its lease lock on the host's pool.
     *
     * @param dataSource the host's pool; not null
     * @param options    the validated options; not null
     * @return the injector, its singletons built eagerly
     */
    public static Injector injector(DataSource dataSource, LockwiseOptions options) {
        return Guice.createInjector(Stage.PRODUCTION, new LockwiseModule(dataSource, options));
    }
}
