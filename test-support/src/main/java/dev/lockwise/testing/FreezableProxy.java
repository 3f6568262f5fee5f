package dev.lockwise.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy in front of a PostgreSQL server that can be frozen: it forwards bytes both ways until {@link #freeze()},
 * then holds every byte — it neither forwards nor closes anything, so neither side sees a FIN or a RST — until
 * {@link #heal()}. That is what a network partition, a dead NAT entry or a hung load balancer looks like to a client:
 * a write succeeds (into a buffer), a read never returns. Connections opened while frozen are accepted and held too.
 *
 * <pre>{@code
 * try (FreezableProxy proxy = FreezableProxy.inFrontOf(DB.jdbcUrl())) {
 *     HikariDataSource throughProxy = ... proxy.jdbcUrl() ...;
 *     proxy.freeze();
 * }
 * }</pre>
 */
public final class FreezableProxy implements AutoCloseable {
    private static final Pattern HOST_PORT = Pattern.compile("^jdbc:postgresql://([^/:?]+)(?::(\\d+))?(/.*)?$");

    private final String targetHost;
    private final int targetPort;
    private final String urlRest;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Object gate = new Object();
    private boolean frozen; // guarded by gate
    private volatile boolean closed;

    private FreezableProxy(String targetHost, int targetPort, String urlRest) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.urlRest = urlRest;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "freezable-proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * A proxy that forwards to the host and port of {@code jdbcUrl} (a {@code jdbc:postgresql://} URL).
     *
     * @param jdbcUrl a single-host {@code jdbc:postgresql://} URL; port 5432 if it names none
     * @return a started proxy, listening on a free loopback port; the caller closes it
     * @throws IOException if it cannot listen
     * @throws IllegalArgumentException if {@code jdbcUrl} is not a single-host {@code jdbc:postgresql://} URL
     */
    public static FreezableProxy inFrontOf(String jdbcUrl) throws IOException {
        Matcher matcher = HOST_PORT.matcher(jdbcUrl);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a single-host jdbc:postgresql:// URL: " + jdbcUrl);
        }
        int port = matcher.group(2) == null ? 5432 : Integer.parseInt(matcher.group(2));
        return new FreezableProxy(matcher.group(1), port, matcher.group(3) == null ? "/" : matcher.group(3));
    }

    /**
     * The same JDBC URL, pointing at this proxy.
     *
     * @return the URL with {@code 127.0.0.1} and this proxy's port, its database and parameters kept
     */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + urlRest;
    }

    /**
     * The port the proxy listens on.
     *
     * @return the loopback port, chosen free when the proxy started
     */
    public int port() {
        return server.getLocalPort();
    }

    /**
     * How many client connections the proxy has accepted so far.
     *
     * @return the count since the proxy started, frozen or not
     */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** From now on hold every byte, in both directions, on every connection, old and new; close nothing. */
    public void freeze() {
        synchronized (gate) {
            frozen = true;
        }
    }

    /** Forward again, held bytes first. */
    public void heal() {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                sockets.add(client);
                Thread connector = new Thread(() -> connect(client), "freezable-proxy-connect");
                connector.setDaemon(true);
                connector.start();
            } catch (IOException e) {
                if (!closed) {
                    closeQuietly(server);
                }
                return;
            }
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        sockets.add(upstream);
        try {
            awaitThawed();
            upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            pump(client, upstream, "up");
            pump(upstream, client, "down");
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    awaitThawed(); // frozen: hold these bytes and read no more, so the sender's buffers fill up
                    out.write(buffer, 0, read);
                    out.flush();
                }
                awaitThawed();
                to.shutdownOutput();
            } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "freezable-proxy-" + direction);
        thread.setDaemon(true);
        thread.start();
    }

    private void awaitThawed() throws InterruptedException {
        synchronized (gate) {
            while (frozen && !closed) {
                gate.wait();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (gate) {
            gate.notifyAll();
        }
        closeQuietly(server);
        sockets.forEach(FreezableProxy::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Already closed.
        }
    }
}
