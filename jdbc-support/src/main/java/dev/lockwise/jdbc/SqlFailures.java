package dev.lockwise.jdbc;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.DatabaseUnavailableException;
import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.LockwiseException;
import dev.lockwise.domain.PersistenceException;

import java.sql.SQLException;

/**
 * Turns a failed statement's SQLSTATE (a code defined by the SQL standard and PostgreSQL, not a driver type) into the
 * domain exception that says what the caller can do about it. Shared by every adapter so that all strategies fail
 * alike.
 */
public final class SqlFailures {
    private SqlFailures() {
    }

    /**
     * The domain exception for a failed statement.
     *
     * @param what    what was being done, for the message ("deposit to account 7")
     * @param failure the driver's exception; its SQLSTATE decides the type (none at all means an I/O failure)
     * @return the exception to throw: {@link ConcurrentUpdateException} for serialization failures and deadlocks,
     *         {@link LockWaitTimeoutException} for lock and statement timeouts, {@link DatabaseUnavailableException}
     *         for lost connections, server shutdowns and writes refused by a read-only server (a failover),
     *         {@link PersistenceException} for the rest
     */
    public static LockwiseException translate(String what, SQLException failure) {
        String state = failure.getSQLState() == null ? "" : failure.getSQLState();
        Throwable cause = failure;
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : firstLine(cause.getMessage());
        if (state.equals("40001") || state.equals("40P01")) {
            return new ConcurrentUpdateException(what + ": transaction aborted by PostgreSQL (" + state + "): " + reason,
                    cause);
        }
        if (state.equals("55P03")) {
            return new LockWaitTimeoutException(what + ": row lock not obtained within the lock timeout", cause);
        }
        if (state.equals("57014")) {
            return new LockWaitTimeoutException(what + ": statement cancelled after its timeout (waiting on a lock"
                    + " held elsewhere?)", cause);
        }
        if (state.equals("25006")) {
            // A write on a server that is no longer (or not yet) the primary: after a failover, a connection opened
            // before it may still reach the old primary, now a standby. Nothing was written; the write can be retried
            // once the connection is replaced.
            return new DatabaseUnavailableException(what + ": database unavailable: the server is read-only (not the"
                    + " primary, e.g. during a failover): " + reason, cause);
        }
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                || state.isEmpty()) {
            return new DatabaseUnavailableException(what + ": database unavailable: " + reason, cause);
        }
        return new PersistenceException(what + " failed (" + state + "): " + reason, cause);
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
