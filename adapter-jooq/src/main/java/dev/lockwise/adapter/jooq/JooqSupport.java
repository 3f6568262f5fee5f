package dev.lockwise.adapter.jooq;

import dev.lockwise.domain.DatabaseFailures;
import dev.lockwise.domain.LockwiseException;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

import javax.sql.DataSource;
import java.util.function.Supplier;

/** The jOOQ context both optimistic repositories share, and their error translation. */
final class JooqSupport {
    private JooqSupport() {
    }

    /**
     * Autocommit on every statement: the optimistic strategy holds no transaction (and so no row lock) between its
     * read and its conditional write. Execute logging is off: it costs on the hot path and says nothing new.
     */
    static DSLContext context(DataSource dataSource) {
        Settings settings = new Settings()
                .withExecuteLogging(false)
                .withRenderSchema(false)
                .withDiagnosticsLogging(false);
        return DSL.using(dataSource, SQLDialect.POSTGRES, settings);
    }

    static <T> T translating(String what, Supplier<T> work) {
        try {
            return work.get();
        } catch (DataAccessException e) {
            throw translate(what, e);
        }
    }

    static LockwiseException translate(String what, DataAccessException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        return DatabaseFailures.translate(e.sqlState(), what, cause);
    }
}
