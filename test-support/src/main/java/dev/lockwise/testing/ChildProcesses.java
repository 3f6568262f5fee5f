package dev.lockwise.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Servers a test starts as child processes (PgBouncer, pg_auto_failover): their ports and their lifetime. */
public final class ChildProcesses {
    private ChildProcesses() {
    }

    /**
     * A loopback port free at the time of the call.
     *
     * @return the port number
     * @throws IOException if no port can be bound
     */
    public static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * Starts a process meant to run under {@code setpriv --pdeathsig}, so that it dies with this JVM. The kernel sends
     * the parent-death signal when the <em>thread</em> that started the process ends, so the process is started from
     * a daemon thread that then waits for it for as long as the JVM lives.
     *
     * @param builder what to start
     * @param name    what it is, for the thread's name and messages
     * @return the running process
     * @throws IOException if it cannot be started within 30 s
     */
    public static Process startTiedToThisJvm(ProcessBuilder builder, String name) throws IOException {
        CompletableFuture<Process> started = new CompletableFuture<>();
        Thread parent = new Thread(() -> {
            Process process;
            try {
                process = builder.start();
            } catch (IOException | RuntimeException e) {
                started.completeExceptionally(e);
                return;
            }
            started.complete(process);
            while (process.isAlive()) {
                try {
                    process.waitFor();
                } catch (InterruptedException e) {
                    // keep living: this thread's end would kill the process
                }
            }
        }, name + "-parent");
        parent.setDaemon(true);
        parent.start();
        try {
            return started.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("cannot start " + name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException(name + " did not start within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + name, e);
        }
    }
}
