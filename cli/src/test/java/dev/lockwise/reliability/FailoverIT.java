package dev.lockwise.reliability;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three JVMs against a real pg_auto_failover formation (monitor, primary, two synchronous secondaries: with one, the
 * engine itself can lose acknowledged commits in a switchover, see {@link AutoFailoverCluster#DATA_NODES}) through a
 * multi-host URL ({@code targetServerType=primary}) while the primary is switched over twice with {@code pg_autoctl perform
 * failover}: two run exactly-once deposits (pessimistic, adaptive), one holds a lease again and again with fenced
 * records. Afterwards every acknowledged deposit is in the balances exactly once, no two holders' fenced records
 * overlap by the database clock, generations strictly increase across both switches, and the workloads resumed by
 * themselves (a hold caught in a switchover longer than its ttl loses its lease, as it must, and is reported).
 * Every client here reaches the formation with {@code connectTimeout=5&socketTimeout=10}, as the README advises
 * for a failover: a connection whose server stopped answering (a commit waiting for a standby that is gone, a
 * half-open socket) is given up within 10 s instead of holding its thread for ever. Runs in the {@code failover}
 * profile, which {@code .ci/run} runs after the main suite (one early run of three stalled without these bounds,
 * cause not seen; seventeen runs in a row passed afterwards); if it ever gives up waiting, it prints each workload's
 * output and thread dump and the sessions on the primary. Fails with the reason if pg_auto_failover cannot be had.
 * Prints the unavailability each switchover caused, as seen in the recorded deposits.
 */
class FailoverIT {
    private static final String DATABASE = "lockwise_failover";
    private static AutoFailoverCluster cluster;

    @BeforeAll
    static void startTheFormation() throws Exception {
        LockwiseProcess.jar();
        cluster = AutoFailoverCluster.start();
        cluster.createDatabase(DATABASE);
        LockwiseProcess migrate = start("migrate");
        assertThat(migrate.await(Duration.ofMinutes(2))).as(migrate.output()).isZero();
        try (Connection connection = cluster.connect(DATABASE); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO account (username) VALUES ('fa'), ('fb'), ('fc')");
        }
    }

    @AfterAll
    static void stopTheFormation() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static LockwiseProcess start(String... args) throws Exception {
        return LockwiseProcess.startAgainst(cluster.jdbcUrl(DATABASE), "postgres", "", args);
    }

    private static long count(String sql) throws SQLException {
        try (Connection connection = cluster.connect(DATABASE); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    /**
     * Waits (through outages) until {@code sql} counts more than {@code least}; on giving up, says what the
     * workloads and the formation were doing.
     */
    private static void awaitCount(String sql, long least, List<LockwiseProcess> workloads) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            try {
                if (count(sql) > least) {
                    return;
                }
            } catch (SQLException outage) {
                // the primary is moving
            }
            if (System.nanoTime() - deadline > 0) {
                StringBuilder context = new StringBuilder("waiting for: " + sql + " > " + least);
                for (LockwiseProcess workload : workloads) {
                    context.append("\n--- workload ").append(workload.process().isAlive() ? "running" : "exited "
                            + workload.process().exitValue()).append(":\n").append(workload.output());
                    if (workload.process().isAlive()) {
                        context.append("\n--- its threads:\n").append(threadDump(workload.process().pid()));
                    }
                }
                context.append("\n--- primary: ").append(cluster.primary());
                try {
                    context.append("\n--- sessions on the primary:\n").append(sessions());
                } catch (SQLException unreachable) {
                    context.append("\n--- sessions on the primary: unreachable: ").append(unreachable.getMessage());
                }
                throw new AssertionError(context.toString());
            }
            Thread.sleep(200);
        }
    }

    /** {@code jcmd PID Thread.print}, bounded: where a stalled workload's threads are waiting. */
    private static String threadDump(long pid) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            if (!jcmd.waitFor(20, TimeUnit.SECONDS)) {
                jcmd.destroyForcibly();
                return "(jcmd did not answer within 20 s)";
            }
            return new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | InterruptedException e) {
            return "(no thread dump: " + e + ")";
        }
    }

    /** What every session on the primary's database is doing, and what it waits for. */
    private static String sessions() throws SQLException {
        StringBuilder text = new StringBuilder();
        try (Connection connection = cluster.connect(DATABASE); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT pid, application_name, state, wait_event_type,"
                     + " wait_event, now() - xact_start, left(query, 120) FROM pg_stat_activity"
                     + " WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
            while (rows.next()) {
                for (int column = 1; column <= 7; column++) {
                    text.append(rows.getString(column)).append(column < 7 ? " | " : "\n");
                }
            }
        }
        return text.toString();
    }

    private static String events() {
        try {
            return cluster.events();
        } catch (Exception e) {
            return "(the monitor's events could not be read: " + e.getMessage() + ")";
        }
    }

    private static long number(String output, String key) {
        Matcher matcher = Pattern.compile(key + "=(\\d+)").matcher(output);
        assertThat(matcher.find()).as("'" + key + "=' in:\n" + output).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    @Test
    void depositsAndLeasesSurviveTwoSwitchoversWithNothingLostDoubledOrOverlapping() throws Exception {
        String deposits = "SELECT count(*) FROM deposit_request";
        List<LockwiseProcess> depositors = new ArrayList<>();
        for (String strategy : List.of("pessimistic", "adaptive")) {
            depositors.add(start("workload", "deposits", "--strategy", strategy, "--usernames", "fa,fb,fc",
                    "--count", "6000", "--concurrency", "4", "--give-up-after", "90s"));
        }
        LockwiseProcess holder = start("workload", "lease", "--lock", "failover-job", "--count", "250", "--hold",
                "100ms", "--ttl", "2s", "--wait", "60s", "--give-up-after", "90s", "--holder", "jvm3");

        List<long[]> switches = new ArrayList<>();
        List<LockwiseProcess> workloads = new ArrayList<>(depositors);
        workloads.add(holder);
        awaitCount(deposits, 300, workloads);
        for (int i = 0; i < 2; i++) {
            long before = count(deposits);
            long started = System.currentTimeMillis();
            cluster.failover();
            switches.add(new long[] {started, System.currentTimeMillis()});
            awaitCount(deposits, before + 300, workloads); // the workloads resumed by themselves
        }

        long acknowledged = 0;
        long cents = 0;
        for (LockwiseProcess depositor : depositors) {
            assertThat(depositor.await(Duration.ofMinutes(5))).as(depositor.output()).isZero();
            acknowledged += number(depositor.output(), "acknowledged");
            cents += number(depositor.output(), "cents");
        }
        // A hold that overlaps an unavailable window longer than its ttl (2 s) must lose its lease: the database let
        // it expire while the holder could not write. A switchover has up to two such windows (the demotion, and the
        // old primary's rejoining, while commits wait for the synchronous standby): at most two holds per switchover
        // can lose their lease (seen: 1 and 2 in two runs). The workload reports them (exit 76 when any was lost)
        // and goes on; every other hold completes.
        int holderExit = holder.await(Duration.ofMinutes(5));
        long lost = number(holder.output(), "lost");
        assertThat(lost).as(holder.output()).isLessThanOrEqualTo(2L * switches.size());
        assertThat(holderExit).as(holder.output()).isEqualTo(lost == 0 ? 0 : 76);
        assertThat(number(holder.output(), "holds") + lost).as(holder.output()).isEqualTo(250);

        assertThat(acknowledged).isEqualTo(12_000);
        try (Connection connection = cluster.connect(DATABASE); Statement statement = connection.createStatement()) {
            ResultSet totals = statement.executeQuery("SELECT sum(balance), sum(version), 'port ' ||"
                    + " inet_server_port() || ', in recovery=' || pg_is_in_recovery() || ', read only='"
                    + " || current_setting('transaction_read_only') FROM account");
            totals.next();
            String read = totals.getString(3);
            // The nodes are read (each directly) only when the check fails, to tell a wrong total from a wrong node,
            // with the monitor's events, to tell a loss by the engine (synchronous replication turned off while a
            // primary still took writes) from one by the client.
            assertThat(totals.getBigDecimal(1)).as(() -> "every acknowledged deposit, once; read from " + read
                    + "; the nodes:\n" + cluster.describeNodes(DATABASE, "SELECT sum(balance) || ' in ' ||"
                    + " sum(version) || ' deposits' FROM account") + "\nthe monitor's events:\n" + events())
                    .isEqualByComparingTo(BigDecimal.valueOf(cents, 2));
            assertThat(totals.getLong(2)).as("one version per deposit: none doubled").isEqualTo(acknowledged);
        }
        assertThat(count(deposits)).isEqualTo(acknowledged);
        assertThat(count("SELECT count(*) FROM exclusive_run a JOIN exclusive_run b ON a.lock_id = b.lock_id"
                + " AND a.generation < b.generation AND b.started_at < coalesce(a.ended_at, a.last_beat_at,"
                + " a.started_at)")).as("fenced records of two holders overlapping").isZero();
        assertThat(count("SELECT count(*) FROM (SELECT generation, lag(generation) OVER (ORDER BY started_at) AS"
                + " previous FROM exclusive_run WHERE lock_id = 'failover-job') runs WHERE previous >= generation"))
                .as("generations strictly increasing in the order the database started them").isZero();

        // What each switchover cost, as the database recorded it: the longest gap between consecutive deposits.
        for (int w = 0; w < switches.size(); w++) {
            long[] window = switches.get(w);
            // Up to 30 s after this switchover settled, but not past the start of the next one.
            long until = w + 1 < switches.size() ? Math.min(window[1] + 30_000, switches.get(w + 1)[0])
                    : window[1] + 30_000;
            try (Connection connection = cluster.connect(DATABASE);
                 Statement statement = connection.createStatement();
                 ResultSet gap = statement.executeQuery("SELECT max(gap) FROM (SELECT extract(epoch FROM"
                         + " recorded_at - lag(recorded_at) OVER (ORDER BY recorded_at)) * 1000 AS gap FROM"
                         + " deposit_request WHERE recorded_at BETWEEN to_timestamp(" + (window[0] - 5_000) / 1000.0
                         + ") AND to_timestamp(" + until / 1000.0 + ")) gaps")) {
                gap.next();
                System.out.printf("failover: pg_autoctl perform failover took %d ms; longest gap between recorded"
                        + " deposits %.0f ms%n", window[1] - window[0], gap.getDouble(1));
            }
        }
        for (LockwiseProcess depositor : depositors) {
            System.out.println("failover: depositor " + depositor.output().lines()
                    .filter(line -> line.startsWith("acknowledged=")).findFirst().orElse("?"));
        }
        System.out.println("failover: the monitor turned a primary's synchronous replication off for want of a"
                + " healthy standby " + events().lines().filter(line -> line.contains(AutoFailoverCluster.SYNC_DROPPED))
                .count() + " time(s)");
        System.out.println("failover: lease holder " + holder.output().lines()
                .filter(line -> line.startsWith("holds=")).findFirst().orElse("?"));
    }
}
