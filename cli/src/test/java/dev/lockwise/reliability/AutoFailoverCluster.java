package dev.lockwise.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockwise.testing.ChildProcesses;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real pg_auto_failover formation on this machine: a monitor, a primary and two synchronous secondaries (Debian's
 * {@code pg-auto-failover-cli} and {@code postgresql-15-auto-failover}), each with a data directory and a loopback
 * port of its own, run as {@code postgres} when the tests run as root (PostgreSQL refuses root). Its keepers are
 * started under {@code setpriv --pdeathsig KILL} from a thread that lives as long as the JVM, and stopped by a
 * shutdown hook ({@code pg_autoctl stop}, then {@code pg_ctl stop}).
 */
final class AutoFailoverCluster implements AutoCloseable {
    private static final Path PG_BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final Duration STEP = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * A primary and two synchronous standbys. With only one standby, pg_auto_failover 2.0 (Debian's) can lose
     * acknowledged commits in a {@code perform failover}: when the candidate leaves {@code secondary}, the monitor
     * sees no healthy standby in the quorum and sets the draining primary to {@code wait_primary}, which turns
     * synchronous replication off; the keeper cannot go from there to {@code demote_timeout}, so the old primary
     * keeps taking writes until the drain timeout (30 s) and pg_rewind then discards them (upstream issue #774,
     * fixed by pull request #1165 in July 2026; seen here in 2 runs of 26). A second standby stays healthy while
     * the first is promoted, so that rule does not fire.
     */
    static final int DATA_NODES = 3;
    /** What the monitor logs when it turns a primary's synchronous replication off for want of a healthy standby. */
    static final String SYNC_DROPPED = "because none of the standby nodes in the quorum are healthy";

    private final Path base;
    private final int monitorPort;
    private final int[] nodePorts;
    private final List<Process> keepers = new ArrayList<>();

    private AutoFailoverCluster(Path base, int monitorPort, int[] nodePorts) {
        this.base = base;
        this.monitorPort = monitorPort;
        this.nodePorts = nodePorts;
    }

    /**
     * Creates and starts the formation and waits until one node is primary and the other a secondary.
     *
     * @return the running cluster
     * @throws IllegalStateException with the reason if an engine is missing or does not come up
     */
    static AutoFailoverCluster start() throws Exception {
        for (Path binary : List.of(Path.of("/usr/bin/pg_autoctl"), PG_BIN.resolve("pg_ctl"))) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " is missing: install Debian's pg-auto-failover-cli and"
                        + " postgresql-15-auto-failover (.ci/run does)");
            }
        }
        Path base = Files.createTempDirectory("lockwise-failover");
        int[] nodePorts = new int[DATA_NODES];
        for (int i = 0; i < nodePorts.length; i++) {
            nodePorts[i] = ChildProcesses.freeLoopbackPort();
        }
        AutoFailoverCluster cluster = new AutoFailoverCluster(base, ChildProcesses.freeLoopbackPort(), nodePorts);
        if (isRoot()) {
            cluster.run(List.of("chown", "postgres:postgres", base.toString()), Duration.ofSeconds(10));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "stop-pg-auto-failover"));
        cluster.create();
        return cluster;
    }

    private void create() throws Exception {
        autoctl(List.of("create", "monitor", "--pgdata", dir("monitor"), "--pgport", Integer.toString(monitorPort),
                "--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl", "--pgctl", PG_BIN.resolve("pg_ctl")
                        .toString()));
        keep(List.of("run", "--pgdata", dir("monitor")));
        awaitMonitor();
        for (int i = 0; i < nodePorts.length; i++) {
            keep(List.of("create", "postgres", "--pgdata", dir("node" + (i + 1)), "--pgport",
                    Integer.toString(nodePorts[i]), "--hostname", "127.0.0.1", "--name", "node" + (i + 1),
                    "--auth", "trust", "--no-ssl", "--pgctl", PG_BIN.resolve("pg_ctl").toString(), "--monitor",
                    "postgres://autoctl_node@127.0.0.1:" + monitorPort + "/pg_auto_failover?sslmode=disable",
                    "--run"));
            awaitStates(i + 1);
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/DATABASE?targetServerType=primary}. */
    String jdbcUrl(String database) {
        StringBuilder hosts = new StringBuilder();
        for (int port : nodePorts) {
            hosts.append(hosts.length() == 0 ? "" : ",").append("127.0.0.1:").append(port);
        }
        return "jdbc:postgresql://" + hosts + "/" + database
                + "?targetServerType=primary&connectTimeout=5&socketTimeout=10";
    }

    /** The monitor's event log ({@code pg_autoctl show events}), most recent last: every goal state it assigned. */
    String events() throws Exception {
        return autoctl(List.of("show", "events", "--pgdata", dir("monitor"), "--count", "500"));
    }

    /** A connection to the current primary's {@code database}, as the superuser. */
    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), "postgres", "");
    }

    void createDatabase(String name) throws SQLException {
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
    }

    /**
     * What each node holds, read from each directly (not through the multi-host URL), with the monitor's view: for
     * the message of a failed check, so that a wrong total can be told apart from a read of the wrong node.
     */
    String describeNodes(String database, String query) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < nodePorts.length; i++) {
            text.append("node").append(i + 1).append(" (port ").append(nodePorts[i]).append("): ");
            try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + nodePorts[i]
                    + "/" + database + "?connectTimeout=5&socketTimeout=10", "postgres", "");
                 Statement statement = connection.createStatement();
                 java.sql.ResultSet row = statement.executeQuery("SELECT pg_is_in_recovery(), current_setting("
                         + "'transaction_read_only'), (" + query + ")::text")) {
                row.next();
                text.append("in recovery=").append(row.getBoolean(1)).append(", read only=").append(row.getString(2))
                        .append(", ").append(query).append(" = ").append(row.getString(3));
            } catch (SQLException e) {
                text.append("unreachable: ").append(e.getMessage());
            }
            text.append('\n');
        }
        try {
            text.append("monitor: ").append(state());
        } catch (Exception e) {
            text.append("monitor unreachable: ").append(e.getMessage());
        }
        return text.toString();
    }

    /** The node now primary, by name ({@code node1} to {@code node3}). */
    String primary() throws Exception {
        for (JsonNode node : state()) {
            if ("primary".equals(node.path("current_group_state").asText())
                    && "primary".equals(node.path("assigned_group_state").asText())) {
                return node.path("nodename").asText();
            }
        }
        throw new IllegalStateException("no primary: " + state());
    }

    /**
     * {@code pg_autoctl perform failover}: the secondary is promoted, the old primary rejoins as secondary; returns
     * once both report their new states.
     */
    void failover() throws Exception {
        String before = primary();
        autoctl(List.of("perform", "failover", "--pgdata", dir("monitor")));
        long deadline = System.nanoTime() + STEP.toNanos();
        while (System.nanoTime() < deadline) {
            if (settled(nodePorts.length) && !before.equals(primary())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the formation did not settle after a failover: " + state());
    }

    private String dir(String name) {
        return base.resolve(name).toString();
    }

    private JsonNode state() throws Exception {
        String out = autoctl(List.of("show", "state", "--pgdata", dir("monitor"), "--json"));
        return JSON.readTree(out.substring(out.indexOf('[')));
    }

    private boolean settled(int nodes) throws Exception {
        JsonNode state = state();
        if (state.size() != nodes) {
            return false;
        }
        int primaries = 0;
        int secondaries = 0;
        for (JsonNode node : state) {
            String current = node.path("current_group_state").asText();
            if (!current.equals(node.path("assigned_group_state").asText())) {
                return false;
            }
            primaries += "primary".equals(current) || (nodes == 1 && "single".equals(current)) ? 1 : 0;
            secondaries += "secondary".equals(current) ? 1 : 0;
        }
        return primaries == 1 && secondaries == nodes - 1;
    }

    private void awaitStates(int nodes) throws Exception {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (settled(nodes)) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // the monitor may not list the node yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("pg_auto_failover did not reach one primary and " + (nodes - 1)
                + " secondary in " + STEP.toSeconds() + " s: " + logs());
    }

    private void awaitMonitor() throws Exception {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                state();
                return;
            } catch (IllegalStateException | IOException notYet) {
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException("the pg_auto_failover monitor did not start: " + logs());
    }

    private String logs() {
        try (var files = Files.list(base)) {
            return files.filter(file -> file.toString().endsWith(".log")).map(file -> {
                try {
                    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                    return file.getFileName() + ":\n" + String.join("\n",
                            lines.subList(Math.max(0, lines.size() - 15), lines.size()));
                } catch (IOException e) {
                    return file + ": " + e.getMessage();
                }
            }).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** Runs a pg_autoctl command to completion (bounded), as postgres when root; returns its output. */
    private String autoctl(List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(asPostgres());
        command.add("/usr/bin/pg_autoctl");
        command.addAll(arguments);
        return run(command, STEP);
    }

    private String run(List<String> command, Duration bound) throws Exception {
        Path output = Files.createTempFile("pg-autoctl", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            environment(builder.environment());
            Process process = builder.start();
            if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in " + bound);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " exited with " + process.exitValue() + ": "
                        + text.strip());
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }


    /** Starts a long-running pg_autoctl (a keeper) whose output goes to a log file; it dies with the JVM. */
    private void keep(List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/setpriv", "--pdeathsig", "KILL"));
        if (isRoot()) {
            command.addAll(List.of("--reuid=postgres", "--regid=postgres", "--init-groups"));
        }
        command.add("--");
        command.add("/usr/bin/pg_autoctl");
        command.addAll(arguments);
        Path log = base.resolve(arguments.get(arguments.indexOf("--pgdata") + 1).replaceAll(".*/", "") + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        environment(builder.environment());
        keepers.add(ChildProcesses.startTiedToThisJvm(builder, "pg_autoctl"));
    }

    private List<String> asPostgres() {
        return isRoot() ? List.of("/usr/sbin/runuser", "-u", "postgres", "--") : List.of();
    }

    /**
     * pg_autoctl keeps its configuration and state under the XDG directories (else {@code ~/.config}, which is not
     * the same home for root and postgres): all of them go inside this cluster's directory.
     */
    private void environment(Map<String, String> environment) {
        environment.put("PATH", PG_BIN + ":" + environment.getOrDefault("PATH", "/usr/bin:/bin"));
        environment.put("PG_CONFIG", PG_BIN.resolve("pg_config").toString());
        environment.put("XDG_CONFIG_HOME", base.resolve("config").toString());
        environment.put("XDG_DATA_HOME", base.resolve("data").toString());
        environment.put("XDG_RUNTIME_DIR", base.resolve("run").toString());
        environment.put("HOME", base.toString());
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Stops the keepers and their servers; the data directories stay in the temporary directory until reboot. */
    @Override
    public synchronized void close() {
        List<String> names = new ArrayList<>();
        for (int i = nodePorts.length; i >= 1; i--) {
            names.add("node" + i);
        }
        names.add("monitor");
        for (String name : names) {
            quietly(List.of("/usr/bin/pg_autoctl", "stop", "--pgdata", dir(name), "--fast"));
        }
        // pg_autoctl supervises services (start/stop postgres, node active) that outlive a killed supervisor and
        // restart their postgres after pg_ctl stopped it (seen: a monitor left running after a passing run). So its
        // whole tree is killed, the descendants listed before the supervisor dies and they are handed to init.
        for (Process keeper : keepers) {
            List<ProcessHandle> tree = keeper.toHandle().descendants().toList();
            keeper.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
        }
        for (String name : names) {
            quietly(List.of(PG_BIN.resolve("pg_ctl").toString(), "stop", "-D", dir(name), "-m", "immediate"));
        }
    }

    private void quietly(List<String> command) {
        List<String> full = new ArrayList<>(asPostgres());
        full.addAll(command);
        try {
            run(full, Duration.ofSeconds(30));
        } catch (Exception ignored) {
            // already stopped, or never created
        }
    }
}
