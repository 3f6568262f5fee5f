package dev.lockwise.testing;

import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that checks every connection as its borrower gives it back: a connection closed with a transaction
 * still open (or failed) is recorded, before a pool such as HikariCP would quietly roll it back. Wrap the pool the code
 * under test uses, run it, then assert {@link #violations()} is empty and {@link #open()} is zero (no connection
 * leaked).
 */
public final class TransactionCheckingDataSource implements DataSource {
    private final DataSource delegate;
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();

    /** @param delegate the data source (usually a pool) whose connections are handed out and checked */
    public TransactionCheckingDataSource(DataSource delegate) {
        this.delegate = delegate;
    }

    /** @return one line per connection given back inside a transaction: its state and the borrower's stack top */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** @return connections borrowed and not given back yet */
    public int open() {
        return open.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return checked(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return checked(delegate.getConnection(username, password));
    }

    private Connection checked(Connection connection) {
        open.incrementAndGet();
        Throwable borrowedAt = new Throwable("borrowed here");
        InvocationHandler handler = new InvocationHandler() {
            private boolean closed;

            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                if (method.getName().equals("close") && method.getParameterCount() == 0 && !closed) {
                    closed = true;
                    open.decrementAndGet();
                    if (!connection.isClosed()) {
                        TransactionState state = connection.unwrap(BaseConnection.class).getTransactionState();
                        if (state != TransactionState.IDLE) {
                            violations.add("connection given back in transaction state " + state + ", borrowed at "
                                    + borrower(borrowedAt));
                        }
                    }
                }
                try {
                    return method.invoke(connection, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        };
        return (Connection) Proxy.newProxyInstance(TransactionCheckingDataSource.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler);
    }

    /** The first frame of the code that borrowed the connection (not this class, not a pool). */
    private static String borrower(Throwable borrowedAt) {
        for (StackTraceElement frame : borrowedAt.getStackTrace()) {
            if (!frame.getClassName().startsWith(TransactionCheckingDataSource.class.getName())) {
                return frame.toString();
            }
        }
        return "?";
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return delegate.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return delegate.isWrapperFor(type);
    }
}
