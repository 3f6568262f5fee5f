package dev.lockwise.reliability;

import dev.lockwise.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How many server connections the command line takes, on a server of its own with PostgreSQL's default
 * {@code max_connections = 100}: a cron-like burst of one-shot commands, many {@code exclusive} jobs at once, and the
 * HTTP host under load. Sessions are counted in {@code pg_stat_activity} by their {@code application_name}
 * ({@code lockwise COMMAND PID}).
 */
class ConnectionFootprintIT {
    private static EmbeddedPostgres server;
    private static String url;

    @TempDir
    Path dir;

    @BeforeAll
    static void aServerWithTheDefaultConnectionLimit() throws Exception {
        server = EmbeddedPostgres.builder().setServerConfig("max_connections", "100").start();
        url = server.getJdbcUrl("postgres", "postgres");
        Migrations.apply(server.getPostgresDatabase());
        try (Connection admin = server.getPostgresDatabase().getConnection();
             Statement statement = admin.createStatement()) {
            statement.execute("INSERT INTO account (username) VALUES ('burst')");
        }
    }

    @AfterAll
    static void stopIt() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private Process lockwise(Path log, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", LockwiseProcess.jar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("LOCKWISE_DB_URL", url);
        builder.environment().put("LOCKWISE_DB_USER", "postgres");
        builder.environment().put("LOCKWISE_DB_PASSWORD", "");
        return builder.start();
    }

    /** Sessions per lockwise process right now, keyed by application_name. */
    private static Map<String, Integer> sessions(String command) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection admin = server.getPostgresDatabase().getConnection();
             Statement statement = admin.createStatement();
             ResultSet rows = statement.executeQuery("SELECT application_name, count(*) FROM pg_stat_activity"
                     + " WHERE application_name LIKE 'lockwise " + command + " %' GROUP BY 1")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getInt(2));
            }
        }
        return counts;
    }

    /** Samples the sessions of {@code command} every 50 ms until stopped; the most each process held. */
    private static final class Sampler implements AutoCloseable {
        final Map<String, Integer> most = new ConcurrentHashMap<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final ExecutorService thread = Executors.newSingleThreadExecutor();

        Sampler(String command) {
            thread.submit(() -> {
                while (running.get()) {
                    sessions(command).forEach((name, count) -> most.merge(name, count, Math::max));
                    Thread.sleep(50);
                }
                return null;
            });
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.shutdown();
            thread.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void fiftyDepositsStartedAtOnceAllSucceedOnADefaultServer() throws Exception {
        List<Process> burst = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try (Sampler sampler = new Sampler("deposit")) {
            for (int i = 0; i < 50; i++) {
                Path log = dir.resolve("deposit-" + i + ".log");
                logs.add(log);
                burst.add(lockwise(log, "deposit", "--username", "burst", "--amount", "1"));
            }
            for (int i = 0; i < burst.size(); i++) {
                assertThat(burst.get(i).waitFor(5, TimeUnit.MINUTES)).isTrue();
                assertThat(burst.get(i).exitValue()).as(Files.readString(logs.get(i))).isZero();
            }
            sampler.close();
            assertThat(sampler.most.values()).as("sessions of each deposit process").allSatisfy(
                    count -> assertThat(count).isLessThanOrEqualTo(2));
        }
        try (Connection admin = server.getPostgresDatabase().getConnection();
             Statement statement = admin.createStatement();
             ResultSet row = statement.executeQuery("SELECT balance FROM account WHERE username = 'burst'")) {
            row.next();
            assertThat(row.getBigDecimal(1)).isEqualByComparingTo(BigDecimal.valueOf(50));
        }
    }

    @Test
    void twentyExclusiveJobsHoldAtMostTwoSessionsEachWhileTheirCommandsRun() throws Exception {
        List<Process> jobs = new ArrayList<>();
        try (Sampler sampler = new Sampler("exclusive")) {
            for (int i = 0; i < 20; i++) {
                jobs.add(lockwise(dir.resolve("job-" + i + ".log"), "exclusive", "--lock", "job-" + i, "--ttl", "2s",
                        "--", "sleep", "4"));
            }
            for (Process job : jobs) {
                assertThat(job.waitFor(3, TimeUnit.MINUTES)).isTrue();
                assertThat(job.exitValue()).isZero();
            }
            sampler.close();
            assertThat(sampler.most).as("each job seen holding sessions").hasSize(20);
            assertThat(sampler.most.values()).allSatisfy(count -> assertThat(count).isLessThanOrEqualTo(2));
        }
    }

    @Test
    void theHttpHostUnderSixteenClientsStaysWithinItsPool() throws Exception {
        Path log = dir.resolve("serve.log");
        Process serve = lockwise(log, "serve", "--port", "0", "--pool-size", "8");
        try {
            int port = awaitPort(log);
            HttpClient client = HttpClient.newHttpClient();
            try (Sampler sampler = new Sampler("serve")) {
                ExecutorService clients = Executors.newFixedThreadPool(16);
                List<Future<Integer>> statuses = new ArrayList<>();
                for (int i = 0; i < 16 * 20; i++) {
                    statuses.add(clients.submit(() -> client.send(HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + port + "/deposits?username=burst&amount=0.01"))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode()));
                }
                for (Future<Integer> status : statuses) {
                    assertThat(status.get(2, TimeUnit.MINUTES)).isEqualTo(200);
                }
                clients.shutdown();
                sampler.close();
                assertThat(sampler.most).hasSize(1);
                assertThat(sampler.most.values()).allSatisfy(count -> assertThat(count).isLessThanOrEqualTo(8));
            }
        } finally {
            serve.destroy();
            serve.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static int awaitPort(Path log) throws Exception {
        Pattern serving = Pattern.compile("Serving on http://127\\.0\\.0\\.1:(\\d+)");
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() - deadline < 0) {
            Matcher matcher = serving.matcher(Files.readString(log));
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("serve did not start:\n" + Files.readString(log));
    }
}
