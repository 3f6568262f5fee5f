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

    public static Injector injector(DataSource dataSource, LockwiseOptions options) {
        return Guice.createInjector(Stage.PRODUCTION, new LockwiseModule(dataSource, options));
    }
}
