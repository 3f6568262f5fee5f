package dev.lockwise.cli.examples;

import dev.lockwise.cli.config.Setting;
import dev.lockwise.cli.config.Settings;
import dev.lockwise.cli.db.DatabaseRuntime;

import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * For the examples' main methods: the database at args[0] (user and password from LOCKWISE_DB_USER and
 * LOCKWISE_DB_PASSWORD), or an embedded PostgreSQL — never one the environment names otherwise, since the examples
 * apply DDL. Nothing migrated here.
 */
final class ExampleDatabase implements AutoCloseable {
    private final DatabaseRuntime runtime;

    private ExampleDatabase(DatabaseRuntime runtime) {
        this.runtime = runtime;
    }

    static ExampleDatabase open(String[] args) {
        Map<String, String> credentials = new java.util.HashMap<>();
        for (Setting setting : new Setting[] {Setting.DB_USER, Setting.DB_PASSWORD}) {
            String value = System.getenv(setting.environmentVariable());
            if (value != null) {
                credentials.put(setting.environmentVariable(), value);
            }
        }
        Settings settings = Settings.load(args.length > 0 ? Map.of(Setting.DB_URL, args[0]) : Map.of(), credentials,
                Optional.empty());
        return new ExampleDatabase(DatabaseRuntime.connect(settings, System.err::println));
    }

    DataSource dataSource() {
        return runtime.dataSource();
    }

    @Override
    public void close() {
        runtime.close();
    }
}
