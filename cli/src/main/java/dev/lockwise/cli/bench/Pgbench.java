package dev.lockwise.cli.bench;

import dev.lockwise.cli.config.ChildEnvironment;
import dev.lockwise.domain.InvalidInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's own load generator, running the same SQL as each strategy at the same client count, so that
 * Lockwise's overhead can be read as a ratio. Scripts (with {@code -M prepared}):
 * <ul>
 *   <li>optimistic: {@code SELECT balance, version … \gset} then {@code UPDATE … WHERE id = :aid AND version = :version}
 *       (a lost race simply updates nothing: pgbench does not retry);</li>
 *   <li>pessimistic: {@code BEGIN; SET LOCAL lock_timeout; SELECT … FOR NO KEY UPDATE \gset; UPDATE …; END};</li>
 *   <li>baseline: the one atomic {@code UPDATE account SET balance = balance + …, version = version + 1}.</li>
 * </ul>
 */
public final class Pgbench {
    static final Map<String, String> SCRIPTS = Map.of(
            "optimistic", """
                    \\set aid random(1, :accounts)
                    \\set cents random(1, 10000)
                    SELECT balance, version FROM account WHERE id = :aid \\gset
                    UPDATE account SET balance = :balance + :cents / 100.0, version = version + 1 WHERE id = :aid AND version = :version;
                    """,
            "pessimistic", """
                    \\set aid random(1, :accounts)
                    \\set cents random(1, 10000)
                    BEGIN;
                    SET LOCAL lock_timeout = '5000ms';
                    SELECT balance, version FROM account WHERE id = :aid FOR NO KEY UPDATE \\gset
                    UPDATE account SET balance = :balance + :cents / 100.0, version = :version + 1 WHERE id = :aid;
                    END;
                    """,
            "baseline", """
                    \\set aid random(1, :accounts)
                    \\set cents random(1, 10000)
                    UPDATE account SET balance = balance + :cents / 100.0, version = version + 1 WHERE id = :aid;
                    """);
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern CONNECTING = Pattern.compile("initial connection time = ([0-9.]+) ms");

    private final Path executable;
    /** libpq host list: one host, or several separated by commas (tried in order). */
    private final String host;
    /** libpq port list, one per host. */
    private final String port;
    /** {@code read-write} when the URL asks for the primary of several hosts, else null. */
    private final String targetSessionAttrs;
    private final String database;
    private final String user;
    private final String password;
    private final Path scripts;

    private Pgbench(Path executable, Hosts hosts, String database, String user, String password)
            throws IOException {
        this.executable = executable;
        this.host = hosts.hosts();
        this.port = hosts.ports();
        this.targetSessionAttrs = hosts.primaryOnly() ? "read-write" : null;
        this.database = database;
        this.user = user;
        this.password = password;
        this.scripts = Files.createTempDirectory("lockwise-pgbench");
        scripts.toFile().deleteOnExit();
        for (Map.Entry<String, String> script : SCRIPTS.entrySet()) {
            Path file = scripts.resolve(script.getKey() + ".sql");
            Files.writeString(file, script.getValue(), StandardCharsets.UTF_8);
            file.toFile().deleteOnExit();
        }
    }

    /** pgbench from the PATH, if there is one and it can reach the database; empty otherwise (the reason is logged). */
    public static Optional<Pgbench> detect(String jdbcUrl, String user, String password, List<String> why) {
        Optional<Path> executable = onPath();
        if (executable.isEmpty()) {
            why.add("pgbench is not on the PATH");
            return Optional.empty();
        }
        try {
            Hosts hosts = Hosts.of(jdbcUrl);
            Pgbench pgbench = new Pgbench(executable.get(), hosts, hosts.database(), user, password);
            String probe = pgbench.exec(List.of("-n", "-t", "1", "-c", "1", "-f",
                    pgbench.scripts.resolve("baseline.sql").toString(), "-D", "accounts=1"), Duration.ofSeconds(30));
            if (probe == null) {
                why.add("pgbench could not reach the database");
                return Optional.empty();
            }
            return Optional.of(pgbench);
        } catch (IOException | IllegalArgumentException | InterruptedException e) {
            why.add("pgbench unusable: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The hosts, ports and database of a PgJDBC URL in libpq's terms, multi-host URLs included
     * ({@code jdbc:postgresql://h1:5432,h2:5433/db?targetServerType=primary} → {@code -h h1,h2 -p 5432,5433}).
     */
    record Hosts(String hosts, String ports, String database, boolean primaryOnly) {
        static Hosts of(String jdbcUrl) {
            String rest = jdbcUrl.substring(jdbcUrl.indexOf("//") + 2);
            int slash = rest.indexOf('/');
            String authority = slash < 0 ? rest : rest.substring(0, slash);
            String pathAndQuery = slash < 0 ? "" : rest.substring(slash + 1);
            int question = pathAndQuery.indexOf('?');
            String database = question < 0 ? pathAndQuery : pathAndQuery.substring(0, question);
            String query = question < 0 ? "" : pathAndQuery.substring(question + 1);
            List<String> hosts = new ArrayList<>();
            List<String> ports = new ArrayList<>();
            for (String hostPort : authority.split(",")) {
                int colon = hostPort.lastIndexOf(':');
                boolean hasPort = colon > hostPort.lastIndexOf(']');
                String host = hasPort ? hostPort.substring(0, colon) : hostPort;
                hosts.add(host.isEmpty() ? "localhost" : host.replace("[", "").replace("]", ""));
                ports.add(hasPort ? hostPort.substring(colon + 1) : "5432");
            }
            boolean primary = hosts.size() > 1 && Arrays.stream(query.split("&"))
                    .anyMatch(parameter -> parameter.equalsIgnoreCase("targetServerType=primary")
                            || parameter.equalsIgnoreCase("targetServerType=master"));
            return new Hosts(String.join(",", hosts), String.join(",", ports),
                    database.isEmpty() ? "postgres" : database, primary);
        }
    }

    private static Optional<Path> onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "pgbench");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code strategy}'s script; returns tps, or 0 when pgbench failed (then the ratio is not reported).
     *
     * <p>pgbench's {@code -T} counts from before its clients connect, while its tps leaves the connection time out:
     * with 64 clients authenticating (SCRAM) on two cores that time is about a second, so a 1-second run measured
     * almost nothing (78–392 tps where a 5-second run gives 5 700; see docs/benchmarks.md). The run is therefore
     * lengthened by an allowance for connecting, and repeated with a longer {@code -T} when the connections took more
     * than the allowance left over, so that at least {@code duration} of transactions is measured.
     */
    public double run(String strategy, int accounts, int clients, Duration duration) {
        if (!SCRIPTS.containsKey(strategy)) {
            throw new InvalidInputException("no pgbench script for strategy " + strategy);
        }
        long seconds = Math.max(1, Math.round(duration.toMillis() / 1000.0));
        long total = seconds + connectingAllowanceSeconds(clients);
        try {
            for (int attempt = 0; attempt < 2; attempt++) {
                String output = exec(List.of("-n", "-M", "prepared", "-c", Integer.toString(clients),
                        "-j", Integer.toString(Math.min(clients, 4)), "-T", Long.toString(total),
                        "-D", "accounts=" + accounts, "-f", scripts.resolve(strategy + ".sql").toString()),
                        Duration.ofSeconds(total + 120));
                if (output == null) {
                    return 0;
                }
                Matcher tps = TPS.matcher(output);
                Matcher connecting = CONNECTING.matcher(output);
                double connectedAfter = connecting.find() ? Double.parseDouble(connecting.group(1)) / 1000 : 0;
                if (total - connectedAfter >= 0.9 * seconds || attempt == 1) {
                    return tps.find() ? Double.parseDouble(tps.group(1)) : 0;
                }
                total = seconds + (long) Math.ceil(2 * connectedAfter);
            }
            return 0;
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }

    /** Seconds added to a run for its clients to connect: 20 ms each (15 ms measured for SCRAM on two cores), at least 1. */
    static long connectingAllowanceSeconds(int clients) {
        return Math.max(1, (long) Math.ceil(clients * 0.020));
    }

    /**
     * Runs pgbench to completion within {@code timeout} (then it is killed and null returned); its output goes to a
     * private temporary file, so a pgbench that hangs without writing cannot hold this thread past the bound. The
     * password reaches it through a password file readable by this user only ({@code PGPASSFILE}), never through
     * its environment, and no secret of the parent's environment is passed on ({@link ChildEnvironment}).
     *
     * @return pgbench's output, or null when it failed or ran out of time
     */
    private String exec(List<String> arguments, Duration timeout) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable.toString(), "-h", host, "-p", port, "-U", user));
        command.addAll(arguments);
        command.add(database);
        Path output = Files.createTempFile("lockwise-pgbench", ".out");
        Path passfile = Files.createTempFile("lockwise-pgbench", ".pgpass");
        try {
            Files.writeString(passfile, passfileLine(password), StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            Map<String, String> environment = builder.environment();
            ChildEnvironment.removeSecrets(environment);
            environment.remove("PGTARGETSESSIONATTRS");
            environment.put("PGPASSFILE", passfile.toString());
            if (targetSessionAttrs != null) {
                environment.put("PGTARGETSESSIONATTRS", targetSessionAttrs);
            }
            Process process = builder.start();
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    return null;
                }
            } finally {
                if (process.isAlive()) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            return process.exitValue() == 0 ? Files.readString(output, StandardCharsets.UTF_8) : null;
        } finally {
            Files.deleteIfExists(passfile);
            Files.deleteIfExists(output);
        }
    }

    /**
     * One line of a libpq password file that matches every host, port, database and user: {@code *:*:*:*:} and the
     * password with {@code \} and {@code :} escaped. A password with a line break cannot be written there.
     */
    static String passfileLine(String password) {
        if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a password with a line break cannot be given to pgbench");
        }
        return "*:*:*:*:" + password.replace("\\", "\\\\").replace(":", "\\:") + "\n";
    }
}
