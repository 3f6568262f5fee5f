package dev.lockwise.adapter.lock;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The connections the lease lock runs its statements on: a small reserve kept open between calls, taken from the
 * data source once and then held, so that a renewal never queues behind the host's own work for a connection of a
 * busy pool. Acquisitions and releases that find the reserve empty borrow from the data source on their own thread;
 * their connection then joins the reserve if there is room, ready for the renewals.
 *
 * <ul>
 *   <li>A call takes an idle reserved connection, or opens one more from the data source. Opening runs on a thread of
 *       its own and is waited for only until the call's deadline: a pool that is exhausted, or a server that accepts
 *       the socket and then says nothing, costs the call its deadline and never more. A connection that arrives late
 *       joins the reserve (or is closed).</li>
 *   <li>After a call, a healthy connection goes back to the reserve (at most {@code keepIdle} are kept; more are
 *       given back to the data source); a broken one is closed on a background thread, never on the caller's.</li>
 * </ul>
 */
final class LeaseConnections implements AutoCloseable {
    /** SQLSTATE "sqlclient unable to establish sqlconnection": what the caller sees when no connection came in time. */
    static final String NO_CONNECTION = "08001";
    /** How long a renewal or release waits for a reserved connection in use by another call before opening one. */
    static final long AWAIT_RESERVED_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long AWAIT_STEP_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final DataSource dataSource;
    private final ExecutorService background;
    /**
     * A reserved connection idle longer than this is not trusted: a NAT or load balancer may have dropped its flow,
     * and a statement on it would be black-holed. It goes back to the data source (which checks its own) instead.
     */
    static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private record Reserved(Connection connection, long idleSince) {
    }

    /** The reserve: at most {@code keepIdle} idle connections (lock-free: every lease statement passes here). */
    private final ConcurrentLinkedDeque<Reserved> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final int keepIdle;
    private volatile boolean closed;
    /** Connections out on calls; while some are, one is likely back within a round trip. */
    private final AtomicInteger lent = new AtomicInteger();

    LeaseConnections(DataSource dataSource, int keepIdle) {
        this.dataSource = dataSource;
        this.keepIdle = keepIdle;
        this.background = Executors.newCachedThreadPool(daemonThreads());
    }

    /**
     * A reserved connection, or a new one from the data source waited for until {@code deadlineNanos} at the latest.
     * For renewals and releases, which must keep to the validity of a lease that is held. If every reserved
     * connection is out on a call, waits a moment for one to come back rather than hand the opening of another to a
     * thread of its own.
     */
    Connection borrow(long deadlineNanos) throws SQLException {
        requireOpen();
        Connection reserved = takeIdle();
        long waitUntil = Math.min(deadlineNanos, System.nanoTime() + AWAIT_RESERVED_NANOS);
        while (reserved == null && lent.get() > 0 && waitUntil - System.nanoTime() > 0) { // lent: an estimate
            LockSupport.parkNanos(this, AWAIT_STEP_NANOS);
            reserved = takeIdle();
        }
        return reserved != null ? lentOut(reserved) : open(deadlineNanos);
    }

    /**
     * A reserved connection, or a new one from the data source on the caller's thread, waited for as long as the data
     * source waits (a pool's connection timeout). For acquisitions (no lease is held yet, so nothing is at stake while
     * they wait for the host's pool) and releases (the task is over). The connection joins the reserve afterwards if
     * there is room, ready for the renewals.
     */
    Connection borrowHere() throws SQLException {
        requireOpen();
        Connection reserved = takeIdle();
        return lentOut(reserved != null ? reserved : dataSource.getConnection());
    }

    /** A new connection from the data source on the caller's thread (see {@link #borrowHere()}). */
    Connection borrowFromDataSource() throws SQLException {
        requireOpen();
        return lentOut(dataSource.getConnection());
    }

    private Connection takeIdle() {
        for (Reserved reserved = idle.pollFirst(); reserved != null; reserved = idle.pollFirst()) {
            idleCount.decrementAndGet();
            if (System.nanoTime() - reserved.idleSince() < MAX_IDLE_NANOS) {
                return reserved.connection();
            }
            closeInBackground(reserved.connection());
        }
        return null;
    }

    private boolean keep(Connection connection) {
        if (idleCount.incrementAndGet() > keepIdle) {
            idleCount.decrementAndGet();
            return false;
        }
        idle.addFirst(new Reserved(connection, System.nanoTime()));
        return true;
    }

    private Connection lentOut(Connection connection) {
        lent.incrementAndGet();
        return connection;
    }

    private void requireOpen() throws SQLException {
        if (closed) {
            throw new SQLException("the lease lock is closed", NO_CONNECTION);
        }
    }

    /** A new connection from the data source, waited for until {@code deadlineNanos} at the latest. */
    Connection open(long deadlineNanos) throws SQLException {
        requireOpen();
        CompletableFuture<Connection> opening;
        try {
            opening = CompletableFuture.supplyAsync(() -> {
                try {
                    return dataSource.getConnection();
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            }, background);
        } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
            throw new SQLException("the lease lock is closed", NO_CONNECTION);
        }
        long remaining = deadlineNanos - System.nanoTime();
        try {
            return lentOut(opening.get(Math.max(0, remaining), TimeUnit.NANOSECONDS));
        } catch (TimeoutException late) {
            opening.thenAccept(this::arrivedLate);
            throw new SQLException("no database connection within " + TimeUnit.NANOSECONDS.toMillis(remaining)
                    + " ms (pool exhausted or server not answering)", NO_CONNECTION);
        } catch (InterruptedException interrupted) {
            opening.thenAccept(this::arrivedLate);
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while opening a database connection", NO_CONNECTION);
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            throw new SQLException("opening a database connection failed: " + cause, NO_CONNECTION, cause);
        }
    }

    /** Back to the reserve if there is room, else back to the data source. */
    void giveBack(Connection connection) {
        lent.decrementAndGet();
        store(connection);
    }

    /** A connection whose opening was given up on (never lent out): reserved if there is room. */
    private void arrivedLate(Connection connection) {
        store(connection);
    }

    private void store(Connection connection) {
        if (closed || !keep(connection)) {
            closeQuietly(connection);
        } else if (closed) {
            for (Connection left = takeIdle(); left != null; left = takeIdle()) {
                closeQuietly(left); // closed meanwhile
            }
        }
    }

    /** A connection that failed at the network level: closed on a background thread. */
    void discard(Connection connection) {
        lent.decrementAndGet();
        closeInBackground(connection);
    }

    private void closeInBackground(Connection connection) {
        try {
            background.execute(() -> closeQuietly(connection));
        } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
            closeQuietly(connection);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Reserved reserved = idle.pollFirst(); reserved != null; reserved = idle.pollFirst()) {
            idleCount.decrementAndGet();
            closeQuietly(reserved.connection());
        }
        background.shutdown();
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException ignored) {
            // Broken already; nothing more to give back.
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "lockwise-lease-connections-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
