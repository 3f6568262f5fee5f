package dev.lockwise.adapter.lock;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends lease statements that run past their deadline: a thread of its own looks over the calls in flight every
 * {@value #TICK_MILLIS} ms while there are any, and {@linkplain Connection#abort aborts} the connection of a call whose
 * deadline has passed, so that its read — blocked on a black-holed socket — fails at once.
 *
 * <p>Why not {@link Connection#setNetworkTimeout}: with a socket timeout set, the JDK's socket switches to
 * non-blocking reads plus {@code poll}, which costs every round trip on that connection (about a tenth of the
 * throughput of short lease statements, measured), and the pool hands the connection on to the host's work in that
 * mode. This watchdog costs a set insertion and removal per call, and nothing when no call is in flight.
 */
final class StatementDeadlines implements AutoCloseable {
    static final long TICK_MILLIS = 10;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);

    /**
     * One call in flight on one connection. Exactly one side ends it: the caller ({@link #done}) or the watchdog
     * (which then aborts the connection) — so a connection the watchdog may still abort is never handed on.
     */
    static final class Call {
        private static final int RUNNING = 0;
        private static final int DONE = 1;
        private static final int ABORTED = 2;

        private final Connection connection;
        private final long deadlineNanos;
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private final int hash = SEQUENCE.incrementAndGet();

        private Call(Connection connection, long deadlineNanos) {
            this.connection = connection;
            this.deadlineNanos = deadlineNanos;
        }

        /** A number of its own: the identity hash would cost every call a header inflation. */
        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        /** Whether the watchdog ended this call (its connection is aborted, or about to be). */
        boolean aborted() {
            return state.get() == ABORTED;
        }
    }

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
    private final Thread watchdog;
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private volatile boolean closed;

    StatementDeadlines() {
        watchdog = new Thread(this::watch, "lockwise-lease-statement-deadlines");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Watches a call from now until {@link #done}. */
    Call watch(Connection connection, long deadlineNanos) {
        Call call = new Call(connection, deadlineNanos);
        inFlight.add(call);
        if (sleeping.get()) {
            LockSupport.unpark(watchdog); // only when it went idle: a steady stream of calls wakes nobody
        }
        return call;
    }

    /** The caller is done with the call; false if the watchdog got there first (the connection must not be reused). */
    boolean done(Call call) {
        inFlight.remove(call);
        return call.state.compareAndSet(Call.RUNNING, Call.DONE);
    }

    private void watch() {
        while (!closed) {
            long now = System.nanoTime();
            for (Call call : inFlight) {
                if (now - call.deadlineNanos >= 0 && call.state.compareAndSet(Call.RUNNING, Call.ABORTED)) {
                    inFlight.remove(call);
                    abort(call.connection);
                }
            }
            if (inFlight.isEmpty()) {
                sleeping.set(true);
                if (inFlight.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                sleeping.set(false);
            } else {
                LockSupport.parkNanos(this, TICK_NANOS);
            }
        }
    }

    private static void abort(Connection connection) {
        try {
            connection.abort(Runnable::run); // closes the socket; the blocked reader fails with an I/O error
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // Nothing more can be done from here; the reader's own failure will discard it.
            }
        }
    }

    /** Stops watching; calls still in flight are aborted now rather than left to hang on an unwatched connection. */
    @Override
    public void close() {
        closed = true;
        for (Call call : inFlight) {
            if (call.state.compareAndSet(Call.RUNNING, Call.ABORTED)) {
                inFlight.remove(call);
                abort(call.connection);
            }
        }
        LockSupport.unpark(watchdog);
    }
}
