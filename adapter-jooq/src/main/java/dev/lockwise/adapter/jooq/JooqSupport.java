package dev.lockwise.adapter.jooq;

import dev.lockwise.jdbc.Transactions;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

import java.time.Duration;
import javax.sql.DataSource;

/**
 * What both optimistic repositories share: statements built with jOOQ's type-safe DSL from the generated classes,
 * rendered to SQL <em>once</em>, and executed with autocommit (no transaction, so no row lock, between the read and
 * the conditional write) through the JDBC support's {@link Transactions}.
 *
 * <p>Why render once: profiling {@code lockwise bench} with JFR showed jOOQ rendering the same query tree on every
 * call as the adapter's largest cost (over half of the client's CPU samples at 16 callers on a 2-core machine, where
 * the client competes with PostgreSQL for the same cores). The statements never change shape, so the adapter keeps
 * jOOQ's rendering (and its compile-time check against the schema) and drops the per-call work. pgjdbc then caches
 * each statement server-side as a named prepared statement.
 */
final class JooqSupport {
    private final Transactions transactions;
    private final DSLContext dsl;
    private final Table<?> lockTimeout;

    JooqSupport(DataSource dataSource, Duration lockTimeout) {
        this.transactions = new Transactions(dataSource, lockTimeout);
        // A number formatted by Transactions (nothing user-typed reaches this text): the SQL is a constant per repository.
        this.lockTimeout = DSL.select(DSL.field("set_config('lock_timeout', {0}, true)", String.class,
                DSL.inline(transactions.lockTimeoutSetting()))).asTable("bound");
        Settings settings = new Settings()
                .withExecuteLogging(false)
                .withRenderSchema(false)
                .withDiagnosticsLogging(false);
        this.dsl = DSL.using(SQLDialect.POSTGRES, settings);
    }

    /** Where the repositories' statements run. */
    Transactions transactions() {
        return transactions;
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
}
