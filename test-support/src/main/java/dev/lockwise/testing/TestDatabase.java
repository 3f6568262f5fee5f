package dev.lockwise.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A freshly migrated database of its own for one test class, on the JVM's shared {@link PostgresServer}.
 * Register it as a static field:
 * <pre>{@code @RegisterExtension static final TestDatabase DB = new TestDatabase();}</pre>
 * and use {@link #dataSource()} (a HikariCP pool) in tests. The database is dropped after the class.
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {
    private final int poolSize;
    private PostgresServer server;
    private String name;
    private HikariDataSource dataSource;

    /** A database whose {@link #dataSource()} pool holds up to 20 connections. */
    public TestDatabase() {
        this(20);
    }

    /**
     * A database whose {@link #dataSource()} pool holds up to {@code poolSize} connections.
     *
     * @param poolSize the most connections {@link #dataSource()} holds; must be positive
     */
    public TestDatabase(int poolSize) {
        this.poolSize = poolSize;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = PostgresServer.get();
        name = server.createDatabase(context.getRequiredTestClass().getSimpleName());
        dataSource = newPool(poolSize);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (dataSource != null) {
            dataSource.close();
        }
        if (name != null) {
            server.dropDatabase(name);
        }
    }

    /**
     * A pool on this class's database; closed after the class.
     *
     * @return the class's HikariCP pool
     * @throws IllegalStateException if the extension has not started (not registered with {@code @RegisterExtension})
     */
    public HikariDataSource dataSource() {
        if (dataSource == null) {
            throw new IllegalStateException("TestDatabase is not started: register it with @RegisterExtension on a"
                    + " static field");
        }
        return dataSource;
    }

    /**
     * Another, independent pool on the same database (the caller closes it).
     *
     * @param size the most connections it holds; must be positive
     * @return a new HikariCP pool that waits at most 10 s for a connection
     */
    public HikariDataSource newPool(int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl());
        config.setUsername(server.user());
        config.setPassword(server.password());
        config.setMaximumPoolSize(size);
        config.setPoolName("test-" + name);
        config.setConnectionTimeout(10_000);
        return new HikariDataSource(config);
    }

    /**
     * A data source that opens a new physical connection every time (no pool).
     *
     * @return a data source on this class's database, as the test user
     */
    public DataSource unpooled() {
        return server.dataSourceFor(name);
    }

    /**
     * The JDBC URL of this class's database, as tests should connect.
     *
     * @return the URL, without credentials; through the pooler when tests use one
     */
    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    /**
     * The user tests connect as.
     *
     * @return the server's test user name
     */
    public String user() {
        return server.user();
    }

    /**
     * The password of {@link #user()}.
     *
     * @return the password; empty for the embedded server
     */
    public String password() {
        return server.password();
    }

    /**
     * The name of this class's database.
     *
     * @return the name, unique in this run; null before the class starts
     */
    public String databaseName() {
        return name;
    }

    /**
     * The JVM's shared server this database is on.
     *
     * @return the server; null before the class starts
     */
    public PostgresServer server() {
        return server;
    }

    /**
     * Runs one SQL statement (DDL or DML).
     *
     * @param sql        the statement, with {@code ?} parameters
     * @param parameters their values, in order
     * @return the update count (0 for DDL)
     * @throws IllegalStateException if the statement fails; the message starts with {@code sql}
     */
    public int execute(String sql, Object... parameters) {
        try (Connection connection = dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * The rows of a query, each as an array of column values.
     *
     * @param sql        the query, with {@code ?} parameters
     * @param parameters their values, in order
     * @return the rows in the order returned, each value as the driver's {@code getObject} gives it
     * @throws IllegalStateException if the query fails; the message starts with {@code sql}
     */
    public List<Object[]> query(String sql, Object... parameters) {
        try (Connection connection = dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                int columns = rows.getMetaData().getColumnCount();
                List<Object[]> result = new ArrayList<>();
                while (rows.next()) {
                    Object[] row = new Object[columns];
                    for (int c = 0; c < columns; c++) {
                        row[c] = rows.getObject(c + 1);
                    }
                    result.add(row);
                }
                return result;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * The single value of a query that returns one row and one column.
     *
     * @param sql        the query, with {@code ?} parameters
     * @param parameters their values, in order
     * @return the first column of the one row; null for SQL NULL
     * @throws IllegalStateException if the query fails or does not return exactly one row
     */
    public Object queryValue(String sql, Object... parameters) {
        List<Object[]> rows = query(sql, parameters);
        if (rows.size() != 1) {
            throw new IllegalStateException(sql + " returned " + rows.size() + " rows, expected 1");
        }
        return rows.get(0)[0];
    }

    /** Empties the Lockwise tables (between tests of one class that need a clean slate). */
    public void truncateAll() {
        try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE account, verfact, deposit_request, exclusive_run, scheduled_run RESTART IDENTITY");
            statement.execute("TRUNCATE public.lockwise_lease");
        } catch (SQLException e) {
            throw new IllegalStateException("truncate failed: " + e.getMessage(), e);
        }
    }
}
