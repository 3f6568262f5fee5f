package dev.lockwise.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PgBouncer (the {@code pgbouncer} binary, e.g. Debian's package) in transaction pooling mode in front of the
 * test server, on a loopback port of its own, so that tests run through it exactly as they run direct. It dies with
 * this JVM: its process is started from a thread that lives as long as the JVM ({@link ChildProcesses}), under
 * util-linux {@code setpriv --pdeathsig KILL} (also dropping to {@code nobody} when the JVM runs as root, which PgBouncer refuses), and a
 * shutdown hook stops it on a normal exit.
 *
 * <p>Clients must not rely on server-side prepared statements, which PgBouncer 1.18 does not carry across the server
 * connections of one client: {@link #jdbcUrl(String)} sets PgJDBC's {@code prepareThreshold=0}.
 */
public final class PgBouncer {
    private static final Path[] BINARIES = {Path.of("/usr/sbin/pgbouncer"), Path.of("/usr/bin/pgbouncer"),
            Path.of("/usr/local/bin/pgbouncer"), Path.of("/usr/local/sbin/pgbouncer")};

    private final int port;
    private final Process process;
    private final Path directory;

    private PgBouncer(int port, Process process, Path directory) {
        this.port = port;
        this.process = process;
        this.directory = directory;
    }

    /**
     * Starts PgBouncer in transaction mode in front of {@code host:serverPort}, logging in to the server as
     * {@code user} with {@code password}; clients connect without a password (loopback only).
     *
     * @param host       the server's host
     * @param serverPort the server's port
     * @param user       the server role every client connects as
     * @param password   its password (may be empty)
     * @param poolSize   server connections per database, fewer than the clients so that they are shared
     * @return the running PgBouncer, accepting connections
     * @throws IllegalStateException if there is no {@code pgbouncer} binary (install Debian's {@code pgbouncer}) or it
     *                               does not start listening within 10 s
     */
    public static PgBouncer start(String host, int serverPort, String user, String password, int poolSize) {
        Path binary = binary();
        try {
            Path directory = Files.createTempDirectory("lockwise-pgbouncer");
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
            int port = ChildProcesses.freeLoopbackPort();
            Path users = directory.resolve("users.txt");
            Files.writeString(users, quoted(user) + " \"\"\n", StandardCharsets.UTF_8);
            Path ini = directory.resolve("pgbouncer.ini");
            Files.writeString(ini, String.join("\n",
                    "[databases]",
                    "* = host=" + host + " port=" + serverPort + " user=" + user
                            + (password.isEmpty() ? "" : " password=" + password),
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    "listen_port = " + port,
                    "unix_socket_dir =",
                    "auth_type = trust",
                    "auth_file = " + users,
                    "pool_mode = transaction",
                    "default_pool_size = " + poolSize,
                    "max_client_conn = 1000",
                    "ignore_startup_parameters = extra_float_digits",
                    "server_lifetime = 3600",
                    "log_connections = 0",
                    "log_disconnections = 0",
                    ""), StandardCharsets.UTF_8);
            for (Path file : List.of(users, ini)) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            }
            List<String> command = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
                command.addAll(List.of("/usr/bin/setpriv", "--pdeathsig", "KILL"));
                if (isRoot()) {
                    command.addAll(List.of("--reuid=nobody", "--regid=nogroup", "--clear-groups"));
                }
                command.add("--");
            } else if (isRoot()) {
                throw new IllegalStateException("PgBouncer refuses to run as root, and util-linux setpriv is missing"
                        + " to start it as nobody");
            }
            command.addAll(List.of(binary.toString(), ini.toString()));
            Path log = directory.resolve("pgbouncer.log");
            Process process = ChildProcesses.startTiedToThisJvm(new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()), "pgbouncer");
            PgBouncer bouncer = new PgBouncer(port, process, directory);
            Runtime.getRuntime().addShutdownHook(new Thread(bouncer::stop, "stop-pgbouncer"));
            bouncer.awaitListening(log);
            return bouncer;
        } catch (IOException e) {
            throw new UncheckedIOException("starting PgBouncer failed: " + e.getMessage(), e);
        }
    }

    /**
     * A JDBC URL for {@code database} through this PgBouncer, with {@code prepareThreshold=0}.
     *
     * @param database the database name (PgBouncer routes every name to the server)
     * @return {@code jdbc:postgresql://127.0.0.1:PORT/DATABASE?prepareThreshold=0}
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?prepareThreshold=0";
    }

    /** @return the loopback port PgBouncer listens on */
    public int port() {
        return port;
    }

    /** @return whether the process still runs */
    public boolean running() {
        return process.isAlive();
    }

    /** Stops PgBouncer (SIGTERM, then SIGKILL after 5 s). */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Path binary() {
        for (Path candidate : BINARIES) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no pgbouncer binary in " + List.of(BINARIES) + ": install it (Debian:"
                + " apt-get install pgbouncer); .ci/run does");
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\"", "\"\"") + "\"";
    }

    private void awaitListening(Path log) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("pgbouncer exited with " + process.exitValue() + ": "
                        + Files.readString(log, StandardCharsets.UTF_8).strip());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for pgbouncer", e);
                }
            }
        }
        stop();
        throw new IllegalStateException("pgbouncer did not listen on port " + port + " within 10 s: "
                + Files.readString(log, StandardCharsets.UTF_8).strip() + " (files in " + directory + ")");
    }
}
