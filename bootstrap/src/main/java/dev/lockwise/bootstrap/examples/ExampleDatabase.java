package dev.lockwise.bootstrap.examples;

import dev.lockwise.bootstrap.db.DatabaseRuntime;
import dev.lockwise.bootstrap.config.Setting;
import dev.lockwise.bootstrap.config.Settings;

import javax.sql.DataSource;
import java.util.Map;
import java.util.Optional;

/** For the examples' main methods: the database at args[0], or an embedded PostgreSQL; nothing migrated. */
final class ExampleDatabase implements AutoCloseable {
    private final DatabaseRuntime runtime;

    private ExampleDatabase(DatabaseRuntime runtime) {
        this.runtime = runtime;
    }

    static ExampleDatabase open(String[] args) {
        Settings settings = Settings.load(args.length > 0 ? Map.of(Setting.DB_URL, args[0]) : Map.of(),
                System.getenv(), Optional.empty());
        return new ExampleDatabase(DatabaseRuntime.connect(settings, System.out::println));
    }

    DataSource dataSource() {
        return runtime.dataSource();
    }

    @Override
    public void close() {
        runtime.close();
    }
}
