package dev.lockwise.adapter.jooq;

import dev.lockwise.domain.DatabaseFailures;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

import dev.lockwise.domain.DurationText;
import dev.lockwise.domain.InvalidInputException;
import org.jooq.Table;

import javax.sql.DataSource;
import java.time.Duration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * What both optimistic repositories share: statements built with jOOQ's type-safe DSL from the generated classes,
 * rendered to SQL <em>once</em>, and executed with autocommit (no transaction, so no row lock, between the read and
 * the conditional write).
 *
 * <p>Why render once: profiling {@code lockwise bench} with JFR showed jOOQ rendering the same query tree on every
 * call as the adapter's largest cost (over half of the client's CPU samples at 16 callers on a 2-core machine, where
 * the client competes with PostgreSQL for the same cores). The statements never change shape, so the adapter keeps
 * jOOQ's rendering (and its compile-time check against the schema) and drops the per-call work. pgjdbc then caches
 * each statement server-side as a named prepared statement.
 */
final class JooqSupport {
    /** The bound on row-lock waits when none is given. */
    static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(5);
    static final Duration MAX_LOCK_TIMEOUT = Duration.ofMinutes(10);

    private final DataSource dataSource;
    private final DSLContext dsl;
    private final Table<?> lockTimeout;

    JooqSupport(DataSource dataSource, Duration lockTimeout) {
        if (dataSource == null) {
            throw new InvalidInputException("a data source is required");
        }
        if (lockTimeout == null || lockTimeout.toMillis() < 1 || lockTimeout.compareTo(MAX_LOCK_TIMEOUT) > 0) {
            throw new InvalidInputException("lock timeout must be between 1ms and " + DurationText.show(MAX_LOCK_TIMEOUT)
                    + " (every wait is bounded), got " + DurationText.show(lockTimeout));
        }
        this.dataSource = dataSource;
        // A number we format ourselves (nothing user-typed reaches this text), so the SQL is a constant per repository.
        this.lockTimeout = DSL.select(DSL.field("set_config('lock_timeout', {0}, true)", String.class,
                DSL.inline(lockTimeout.toMillis() + "ms"))).asTable("bound");
        Settings settings = new Settings()
                .withExecuteLogging(false)
                .withRenderSchema(false)
                .withDiagnosticsLogging(false);
        this.dsl = DSL.using(SQLDialect.POSTGRES, settings);
    }

    /**
     * A one-row table to put in the {@code FROM} of a write that may wait on a row lock: evaluated before the row is
     * written, it sets this transaction's {@code lock_timeout}, so the wait is bounded by the server (SQLSTATE 55P03)
     * and nothing outlives the statement's transaction. Autocommit writes have no transaction to {@code SET LOCAL}
     * in; this costs no round trip.
     */
    Table<?> lockTimeout() {
        return lockTimeout;
    }

    /** The SQL of a jOOQ query, with {@code ?} for each bind value in the order jOOQ lists them. */
    String render(Query query) {
        return dsl.render(query);
    }

    @FunctionalInterface
    interface Statement<T> {
        T run(PreparedStatement statement) throws SQLException;
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs several statements in one short transaction (used only to record an idempotency key together with the
     * conditional write; the read before it stays outside, lock-free). Rolls back on any failure.
     */
    <T> T inTransaction(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error failure) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    failure.addSuppressed(rollbackFailure);
                }
                throw failure;
            } finally {
                try {
                    connection.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // A broken connection; the pool discards it.
                }
            }
        } catch (SQLException e) {
            throw DatabaseFailures.translate(e.getSQLState(), what, e);
        }
    }

    /**
     * Runs several autocommit statements on one pooled connection (a read and the conditional write that follows
     * it: one pool checkout instead of two, and no transaction, so no lock, in between).
     */
    <T> T withConnection(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw DatabaseFailures.translate(e.getSQLState(), what, e);
        }
    }

    /** Runs one autocommit statement on a pooled connection, translating failures into domain exceptions. */
    <T> T execute(String what, String sql, Statement<T> work) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            return work.run(statement);
        } catch (SQLException e) {
            throw DatabaseFailures.translate(e.getSQLState(), what, e);
        }
    }
}
