package dev.lockwise.bootstrap.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.lockwise.adapter.lock.LeaseTableCheck;
import dev.lockwise.bootstrap.config.Settings;
import dev.lockwise.db.MigrationException;
import dev.lockwise.db.Migrations;
import dev.lockwise.domain.DatabaseUnavailableException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The database a command runs against: the configured server, or, when no URL is configured, an embedded
 * PostgreSQL started for the life of this process (its temporary data directory is removed when the process exits,
 * also on Ctrl-C). Opens the HikariCP pool, then applies the migrations, or with custom migrations only checks that
 * the lease table is as expected.
 */
public final class DatabaseRuntime implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final EmbeddedPostgres embedded;
    private final String displayUrl;
    private final Thread shutdownHook;
    private final List<Runnable> firstOnShutdown = new CopyOnWriteArrayList<>();

    private DatabaseRuntime(HikariDataSource dataSource, EmbeddedPostgres embedded, String displayUrl) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.displayUrl = displayUrl;
        this.shutdownHook = new Thread(this::shutDown, "lockwise-database-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Runs {@code action} when the JVM is shutting down (SIGTERM, Ctrl-C) <em>before</em> the pool and the embedded
     * server are closed — so that a command can still release what it holds in the database. JVM shutdown hooks run
     * concurrently in no set order; this orders the ones that need the database.
     */
    public void onShutdownFirst(Runnable action) {
        firstOnShutdown.add(action);
    }

    private void shutDown() {
        for (Runnable action : firstOnShutdown) {
            try {
                action.run();
            } catch (RuntimeException e) {
                // Closing the database comes next whatever happened.
            }
        }
        closeQuietly();
    }

    /** Connects (starting an embedded server if needed), then migrates or checks; {@code notice} gets the psql hint. */
    public static DatabaseRuntime start(Settings settings, Consumer<String> notice) {
        DatabaseRuntime runtime = connect(settings, notice);
        try {
            if (settings.migrate()) {
                Migrations.apply(runtime.dataSource, settings.leaseTable());
            } else {
                LeaseTableCheck.verify(runtime.dataSource, settings.leaseTable());
            }
        } catch (MigrationException e) {
            runtime.close();
            throw new DatabaseUnavailableException("migrating " + runtime.displayUrl + " failed: " + rootMessage(e), e);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        return runtime;
    }

    /** Connects (starting an embedded server if needed) and applies nothing. */
    public static DatabaseRuntime connect(Settings settings, Consumer<String> notice) {
        EmbeddedPostgres embedded = null;
        String url;
        String user = settings.dbUser();
        String password = settings.dbPassword();
        if (settings.dbUrl().isPresent()) {
            url = settings.dbUrl().get();
        } else {
            embedded = startEmbedded();
            url = embedded.getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = "";
        }
        String displayUrl = redact(url);
        HikariDataSource pool = openPool(url, user, password, settings.poolSize(), displayUrl, embedded);
        if (embedded != null) {
            notice.accept("Embedded PostgreSQL " + serverVersion(pool) + " running for this process. Connect while it"
                    + " runs:\n  psql -h localhost -p " + embedded.getPort() + " -U postgres postgres");
        }
        return new DatabaseRuntime(pool, embedded, displayUrl);
    }

    /** Read through the pool just opened, rather than on a connection of its own. */
    private static String serverVersion(HikariDataSource pool) {
        try (var connection = pool.getConnection()) {
            return connection.getMetaData().getDatabaseProductVersion();
        } catch (java.sql.SQLException e) {
            return "";
        }
    }

    private static EmbeddedPostgres startEmbedded() {
        try {
            // Room for a benchmark's pool and pgbench's clients side by side.
            return EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
        } catch (IOException | RuntimeException e) {
            throw new DatabaseUnavailableException("starting the embedded PostgreSQL failed: " + rootMessage(e), e);
        }
    }

    private static HikariDataSource openPool(String url, String user, String password, int size, String displayUrl,
                                             EmbeddedPostgres embedded) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setPoolName("lockwise");
        config.setConnectionTimeout(10_000);
        config.setValidationTimeout(2_000);
        config.addDataSourceProperty("connectTimeout", "5");
        config.addDataSourceProperty("ApplicationName", "lockwise");
        try {
            return new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException | IllegalArgumentException e) {
            if (embedded != null) {
                closeEmbedded(embedded);
            }
            throw new DatabaseUnavailableException("cannot connect to " + displayUrl + " as " + user + ": "
                    + rootMessage(e), e);
        }
    }

    /** The URL without any password parameter, for messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1****");
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public HikariDataSource pool() {
        return dataSource;
    }

    public String displayUrl() {
        return displayUrl;
    }

    public Optional<Integer> embeddedPort() {
        return Optional.ofNullable(embedded).map(EmbeddedPostgres::getPort);
    }

    private void closeQuietly() {
        dataSource.close();
        if (embedded != null) {
            closeEmbedded(embedded);
        }
    }

    private static void closeEmbedded(EmbeddedPostgres embedded) {
        try {
            embedded.close();
        } catch (IOException ignored) {
            // Nothing more to do at exit.
        }
    }

    @Override
    public void close() {
        closeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or has run.
        }
    }

}
