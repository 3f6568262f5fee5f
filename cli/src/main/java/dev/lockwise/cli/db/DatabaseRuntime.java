package dev.lockwise.cli.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.lockwise.adapter.lock.LeaseTableCheck;
import dev.lockwise.cli.config.ConfigException;
import dev.lockwise.cli.config.Settings;
import dev.lockwise.db.MigrationException;
import dev.lockwise.db.Migrations;
import dev.lockwise.domain.DatabaseUnavailableException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The database a command runs against, opened one of three ways ({@link Use}):
 * <ul>
 *   <li>with no URL configured, an embedded PostgreSQL started for the life of this process — its data is discarded
 *       when the process exits (also on Ctrl-C) — and migrated, since nothing of the user's is there;</li>
 *   <li>{@link Use#WORK}: the configured server; Lockwise's schema must already be there and up to date ({@code
 *       lockwise migrate} applies it), unless the user asked for migrations at start or has custom migrations;</li>
 *   <li>{@link Use#MIGRATE}: the configured server, migrated;</li>
 *   <li>{@link Use#SCRATCH}: a database of its own on the configured server, created, migrated, and dropped when the
 *       command ends, for commands that fill and empty tables (demo, bench) — they never touch the user's.</li>
 * </ul>
 */
public final class DatabaseRuntime implements AutoCloseable {
    /** What a command does with the database, which decides how it is opened. */
    public enum Use {
        WORK, MIGRATE, SCRATCH
    }

    private static final Pattern HOST_PORT = Pattern.compile("^jdbc:postgresql://([^/?]*)");
    /** The session's {@code application_name}, set per command by {@link #start}. */
    private static final ThreadLocal<String> APPLICATION_NAME = ThreadLocal.withInitial(() -> "lockwise");

    private final HikariDataSource dataSource;
    private final EmbeddedPostgres embedded;
    private final String displayUrl;
    private final Scratch scratch;
    private final Thread shutdownHook;
    private final List<Runnable> firstOnShutdown = new CopyOnWriteArrayList<>();

    /** A database created for this command on the user's server, and how to drop it. */
    private record Scratch(String name, String adminUrl, String user, String password, Consumer<String> notice) {
        void drop() {
            try (Connection admin = DriverManager.getConnection(adminUrl, user, password);
                 Statement statement = admin.createStatement()) {
                statement.setQueryTimeout(30);
                try {
                    statement.execute("DROP DATABASE IF EXISTS " + quote(name) + " WITH (FORCE)");
                } catch (SQLException olderThan13) {
                    statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                            + name + "' AND pid <> pg_backend_pid()");
                    statement.execute("DROP DATABASE IF EXISTS " + quote(name));
                }
            } catch (SQLException e) {
                notice.accept("lockwise: could not drop the scratch database " + name + " (" + rootMessage(e)
                        + "); drop it yourself");
            }
        }
    }

    private DatabaseRuntime(HikariDataSource dataSource, EmbeddedPostgres embedded, String displayUrl,
                            Scratch scratch) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.displayUrl = displayUrl;
        this.scratch = scratch;
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

    /**
     * Opens the database for {@code use}; {@code notice} gets what the user should know on stderr (the embedded
     * server's psql line, the scratch database's name), {@code purpose} names the command for those notices.
     */
    public static DatabaseRuntime start(Settings settings, Use use, String purpose, Consumer<String> notice) {
        APPLICATION_NAME.set("lockwise " + purpose + " " + ProcessHandle.current().pid());
        try {
            return startFor(settings, use, purpose, notice);
        } finally {
            APPLICATION_NAME.remove();
        }
    }

    private static DatabaseRuntime startFor(Settings settings, Use use, String purpose, Consumer<String> notice) {
        if (settings.dbUrl().isEmpty()) {
            DatabaseRuntime runtime = embedded(settings, notice);
            return migrated(runtime, settings, Settings.Migrations.APPLY);
        }
        if (use == Use.SCRATCH) {
            return migrated(scratch(settings, purpose, notice), settings, Settings.Migrations.APPLY);
        }
        DatabaseRuntime runtime = open(settings.dbUrl().get(), settings.dbUser(), settings.dbPassword(),
                settings.poolSize(), null, null);
        return migrated(runtime, settings, use == Use.MIGRATE ? Settings.Migrations.APPLY : settings.migrations());
    }

    /** Connects (starting an embedded server if no URL is configured) and applies nothing. */
    public static DatabaseRuntime connect(Settings settings, Consumer<String> notice) {
        return settings.dbUrl().isEmpty() ? embedded(settings, notice)
                : open(settings.dbUrl().get(), settings.dbUser(), settings.dbPassword(), settings.poolSize(), null,
                null);
    }

    private static DatabaseRuntime migrated(DatabaseRuntime runtime, Settings settings, Settings.Migrations mode) {
        try {
            switch (mode) {
                case APPLY -> Migrations.apply(runtime.dataSource, settings.leaseTable());
                case CUSTOM -> LeaseTableCheck.verify(runtime.dataSource, settings.leaseTable());
                case CHECK -> {
                    List<String> pending = Migrations.pending(runtime.dataSource, settings.leaseTable());
                    if (!pending.isEmpty()) {
                        throw new ConfigException("the database at " + runtime.displayUrl + " lacks Lockwise's"
                                + " schema (" + pending.size() + " migration" + (pending.size() == 1 ? "" : "s")
                                + " pending, first " + pending.get(0) + "): run `lockwise migrate` (or set"
                                + " --migrate true to apply at start)");
                    }
                }
                default -> throw new IllegalStateException(mode.toString());
            }
        } catch (MigrationException e) {
            runtime.close();
            if (mode == Settings.Migrations.CHECK && String.valueOf(rootMessage(e)).contains("permission denied")) {
                throw new ConfigException("cannot read Lockwise's schema history at " + runtime.displayUrl + " ("
                        + rootMessage(e) + "): grant SELECT on lockwise_schema_history and"
                        + " <lease table>_history, or set --migrate false (custom migrations)");
            }
            throw new DatabaseUnavailableException((mode == Settings.Migrations.CHECK ? "checking the schema of "
                    : "migrating ") + runtime.displayUrl + " failed: " + rootMessage(e), e);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        return runtime;
    }

    private static DatabaseRuntime embedded(Settings settings, Consumer<String> notice) {
        EmbeddedPostgres embedded;
        try {
            // Room for a benchmark's pool and pgbench's clients side by side. Durable commits, PostgreSQL's own
            // defaults (zonky's builder turns synchronous_commit off and starts the server with -F, fsync off): an
            // acknowledged deposit is on disk, as in production, and the bench measures what production would see.
            embedded = EmbeddedPostgres.builder().setServerConfig("max_connections", "300")
                    .setServerConfig("synchronous_commit", "on").setServerConfig("fsync", "on")
                    .setServerConfig("full_page_writes", "on").start();
        } catch (IOException | RuntimeException e) {
            throw new DatabaseUnavailableException("starting the embedded PostgreSQL failed: " + rootMessage(e), e);
        }
        DatabaseRuntime runtime = open(embedded.getJdbcUrl("postgres", "postgres"), "postgres", "",
                settings.poolSize(), embedded, null);
        notice.accept("Embedded PostgreSQL " + runtime.serverVersion() + " running for this process, "
                + runtime.durability() + "; its data is discarded when the process exits. Connect while it runs:\n"
                + "  psql -h localhost -p " + embedded.getPort() + " -U postgres postgres");
        return runtime;
    }

    private static DatabaseRuntime scratch(Settings settings, String purpose, Consumer<String> notice) {
        String url = settings.dbUrl().orElseThrow();
        String name = "lockwise_" + purpose + "_" + Long.toString(ProcessHandle.current().pid(), 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
        Scratch drop = new Scratch(name, url, settings.dbUser(), settings.dbPassword(), notice);
        // Dropped even if the process is stopped between its creation and the runtime's own shutdown hook.
        Thread dropOnExit = new Thread(drop::drop, "lockwise-scratch-drop");
        Runtime.getRuntime().addShutdownHook(dropOnExit);
        try (Connection admin = DriverManager.getConnection(url, settings.dbUser(), settings.dbPassword());
             Statement statement = admin.createStatement()) {
            statement.setQueryTimeout(30);
            statement.execute("CREATE DATABASE " + quote(name));
        } catch (SQLException e) {
            removeHook(dropOnExit);
            if ("42501".equals(e.getSQLState())) {
                throw new ConfigException(purpose + " works in a database of its own, and user '" + settings.dbUser()
                        + "' may not create one (it needs CREATEDB, and CONNECT on the new database): grant it, or"
                        + " leave the database URL unset to run " + purpose + " on an embedded PostgreSQL");
            }
            if (e.getSQLState() != null && !e.getSQLState().startsWith("08")) {
                throw new DatabaseUnavailableException("creating " + purpose + "'s database " + name + " on "
                        + hostPort(url) + " failed: " + rootMessage(e), e);
            }
            throw connectFailure(redact(url), settings.dbUser(), e);
        }
        notice.accept("lockwise: " + purpose + " works in a database of its own, " + name + ", created on "
                + hostPort(url) + " now and dropped at exit; no other database is touched");
        try {
            return open(withDatabase(url, name), settings.dbUser(), settings.dbPassword(), settings.poolSize(), null,
                    drop);
        } catch (RuntimeException e) {
            drop.drop();
            throw e;
        } finally {
            removeHook(dropOnExit); // from here on the runtime's own hook drops it
        }
    }

    private static DatabaseRuntime open(String url, String user, String password, int size, EmbeddedPostgres embedded,
                                        Scratch scratch) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0); // open connections as they are needed, not all of them at start
        config.setPoolName("lockwise");
        config.setConnectionTimeout(10_000);
        config.setValidationTimeout(2_000);
        config.addDataSourceProperty("connectTimeout", "5");
        // "lockwise deposit 4711" in pg_stat_activity: which command of which process holds a session.
        config.addDataSourceProperty("ApplicationName", APPLICATION_NAME.get());
        try {
            return new DatabaseRuntime(new HikariDataSource(config), embedded, redact(url), scratch);
        } catch (RuntimeException e) { // Hikari's own messages may quote the URL: never shown, only the root cause
            if (embedded != null) {
                closeEmbedded(embedded);
            }
            if (scratch != null) {
                scratch.drop();
            }
            throw connectFailure(redact(url), user, e);
        }
    }

    /** Why a connection could not be made, in plain words: unknown host, refused, no answer, or the server's reason. */
    static DatabaseUnavailableException connectFailure(String displayUrl, String user, Throwable failure) {
        String reason = rootMessage(failure);
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnknownHostException unknown) {
                reason = "unknown host '" + unknown.getMessage() + "' (no such name in DNS)";
                break;
            }
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
                reason = "connection refused by " + hostPort(displayUrl) + " (is PostgreSQL running and listening"
                        + " there?)";
                break;
            }
            if (cause instanceof SocketTimeoutException) {
                reason = "no answer from " + hostPort(displayUrl) + " within the connect timeout";
                break;
            }
        }
        return new DatabaseUnavailableException("cannot connect to " + displayUrl + " as " + user + ": "
                + reason.replace(displayUrl, "the URL"), failure);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // It is running: it drops the database.
        }
    }

    private String serverVersion() {
        try (var connection = dataSource.getConnection()) {
            return connection.getMetaData().getDatabaseProductVersion();
        } catch (SQLException e) {
            return "";
        }
    }

    /** Whether commits are durable on this server, as its settings say: for the embedded server's notice. */
    private String durability() {
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            statement.setQueryTimeout(10);
            var row = statement.executeQuery("SELECT current_setting('synchronous_commit'), current_setting('fsync')");
            row.next();
            String settings = "synchronous_commit=" + row.getString(1) + ", fsync=" + row.getString(2);
            boolean durable = CommitDurability.durable(row.getString(1), row.getString(2));
            return (durable ? "with durable commits (" : "WITHOUT durable commits (") + settings + ")";
        } catch (SQLException e) {
            return "durability unknown";
        }
    }

    /** The URL without a password parameter or user information, for messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1****").replaceAll("//[^/?]*@", "//****@");
    }

    static String hostPort(String url) {
        Matcher matcher = HOST_PORT.matcher(redact(url));
        return matcher.find() ? matcher.group(1) : "the server";
    }

    /** The same URL with another database. */
    static String withDatabase(String url, String database) {
        Matcher matcher = HOST_PORT.matcher(url);
        if (!matcher.find()) {
            throw new IllegalArgumentException("not a jdbc:postgresql:// URL");
        }
        String rest = url.substring(matcher.end());
        int query = rest.indexOf('?');
        return matcher.group() + "/" + database + (query < 0 ? "" : rest.substring(query));
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
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

    /** The JDBC URL of the database in use (the scratch one for demo and bench), for child processes. */
    public String jdbcUrl() {
        return dataSource.getJdbcUrl();
    }

    public Optional<Integer> embeddedPort() {
        return Optional.ofNullable(embedded).map(EmbeddedPostgres::getPort);
    }

    private synchronized void closeQuietly() {
        if (!dataSource.isClosed()) {
            dataSource.close();
            if (embedded != null) {
                closeEmbedded(embedded);
            }
            if (scratch != null) {
                scratch.drop();
            }
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
