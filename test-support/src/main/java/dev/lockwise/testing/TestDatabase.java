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

    public TestDatabase() {
        this(20);
    }

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

    /** A pool on this class's database; closed after the class. */
    public HikariDataSource dataSource() {
        if (dataSource == null) {
            throw new IllegalStateException("TestDatabase is not started: register it with @RegisterExtension on a"
                    + " static field");
        }
        return dataSource;
    }

    /** Another, independent pool on the same database (the caller closes it). */
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

    /** A data source that opens a new physical connection every time (no pool). */
    public DataSource unpooled() {
        return server.dataSourceFor(name);
    }

    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    public String user() {
        return server.user();
    }

    public String password() {
        return server.password();
    }

    public String databaseName() {
        return name;
    }

    public PostgresServer server() {
        return server;
    }

    /** Runs one SQL statement (DDL or DML) and returns the update count. */
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

    /** The rows of a query, each as an array of column values. */
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

    /** The single value of a query that returns one row and one column. */
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
