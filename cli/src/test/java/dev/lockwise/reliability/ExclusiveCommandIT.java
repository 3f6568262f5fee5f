package dev.lockwise.reliability;

import dev.lockwise.cli.ExitCodes;
import dev.lockwise.testing.FreezableProxy;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lockwise exclusive -- CMD} as separate JVMs, against a real PostgreSQL, under the faults that used to leave
 * two copies of a job running: the holder's connection frozen by the network, the holder killed with SIGKILL, the
 * holder told to stop with SIGTERM. The commands write heartbeats (nanoseconds of this machine's clock) to files;
 * every holder runs on this one machine, so their times compare directly.
 */
class ExclusiveCommandIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(4);

    /** A heartbeat every 50 ms into {@code $1}; it notes SIGTERM in {@code $1.term} and carries on (so only SIGKILL ends it). */
    private static final String STUBBORN_BEATER = "trap 'echo TERM >> \"$1.term\"' TERM;"
            + " while :; do date +%s%N >> \"$1\"; sleep 0.05; done";
    /** Its pid into {@code $1.pid}, a grandchild's into {@code $1.grandchild}, then a heartbeat every 50 ms into {@code $1}. */
    private static final String BEATER_WITH_GRANDCHILD = "echo $$ > \"$1.pid\"; sleep 300 & echo $! > \"$1.grandchild\";"
            + " while :; do date +%s%N >> \"$1\"; sleep 0.05; done";
    /** Its start time into {@code $1}. */
    private static final String STARTER = "date +%s%N > \"$1\"";

    @TempDir
    Path dir;

    @BeforeAll
    static void findTheJar() {
        LockwiseProcess.jar();
    }

    @BeforeEach
    void clean() {
        DB.truncateAll();
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(file) || sizeOf(file) == 0) {
            assertThat(System.nanoTime()).as("waiting for " + file).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<Long> times(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(line -> !line.isBlank()).map(String::trim).map(Long::valueOf)
                .toList();
    }

    private static long last(Path file) throws IOException {
        List<Long> beats = times(file);
        return beats.get(beats.size() - 1);
    }

    private static long pidIn(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).trim());
    }

    private static void awaitGone(long pid, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (LockwiseProcess.running(pid)) {
            assertThat(System.nanoTime()).as("process " + pid + " still runs after " + within).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /**
     * {@code exclusive} through {@code proxy} (ttl 3s, renewed every 500ms, grace 1s) around the stubborn beater,
     * once it beats and has renewed at least once through the proxy.
     */
    private LockwiseProcess stubbornHolderThrough(FreezableProxy proxy, String lock, Path beats) throws Exception {
        LockwiseProcess holder = LockwiseProcess.start(DB, "UTC", Map.of("LOCKWISE_DB_URL", proxy.jdbcUrl()),
                "exclusive", "--lock", lock, "--ttl", "3s", "--renew-every", "500ms", "--grace", "1s",
                "--", "sh", "-c", STUBBORN_BEATER, "beater", beats.toString());
        try {
            awaitFile(beats);
            Thread.sleep(700);
            return holder;
        } catch (Exception | AssertionError e) {
            holder.process().destroyForcibly();
            throw e;
        }
    }

    @Test
    void aHolderWhoseConnectionFreezesStopsItsCommandBeforeTheNextHolderStarts() throws Exception {
        Path beats = dir.resolve("beats-frozen");
        Path started = dir.resolve("started-next");
        try (FreezableProxy proxy = FreezableProxy.inFrontOf(DB.jdbcUrl())) {
            LockwiseProcess holder = stubbornHolderThrough(proxy, "frozen-job", beats);
            try {
                proxy.freeze();
                long frozenAt = System.nanoTime();

                LockwiseProcess next = LockwiseProcess.start(DB, "exclusive", "--lock", "frozen-job", "--ttl", "3s",
                        "--wait", "30s", "--", "sh", "-c", STARTER, "starter", started.toString());
                assertThat(next.await(Duration.ofMinutes(1))).as(next.output()).isZero();

                assertThat(holder.await(Duration.ofSeconds(30))).as(holder.output()).isEqualTo(ExitCodes.LEASE_LOST);
                assertThat(Duration.ofNanos(System.nanoTime() - frozenAt)).as("the frozen holder's exit is bounded")
                        .isLessThan(Duration.ofSeconds(20));
                assertThat(dir.resolve("beats-frozen.term")).as("SIGTERM came first, a grace before the end")
                        .content().contains("TERM");
                assertThat(last(beats)).as("the frozen holder's last beat precedes the next holder's start")
                        .isLessThan(last(started));
                assertThat(holder.output()).contains("lease on 'frozen-job' (generation 1) was lost");
            } finally {
                proxy.heal();
                holder.process().destroyForcibly();
            }
        }
    }

    @Test
    void sigkillOfLockwiseTakesItsCommandAndAGrandchildDownWithinASecondAndBeforeTheNextHolderStarts()
            throws Exception {
        Path beats = dir.resolve("beats-killed");
        Path started = dir.resolve("started-after-kill");
        LockwiseProcess holder = LockwiseProcess.start(DB, "exclusive", "--lock", "killed-job", "--ttl", "2s",
                "--renew-every", "500ms", "--", "sh", "-c", BEATER_WITH_GRANDCHILD, "beater", beats.toString());
        awaitFile(dir.resolve("beats-killed.grandchild"));
        awaitFile(beats);
        long child = pidIn(dir.resolve("beats-killed.pid"));
        long grandchild = pidIn(dir.resolve("beats-killed.grandchild"));
        assertThat(LockwiseProcess.running(child)).isTrue();
        assertThat(LockwiseProcess.running(grandchild)).isTrue();

        holder.signal("KILL");
        awaitGone(child, Duration.ofSeconds(1));
        awaitGone(grandchild, Duration.ofSeconds(1));

        LockwiseProcess next = LockwiseProcess.start(DB, "exclusive", "--lock", "killed-job", "--ttl", "2s",
                "--wait", "30s", "--", "sh", "-c", STARTER, "starter", started.toString());
        assertThat(next.await(Duration.ofMinutes(1))).as(next.output()).isZero();
        assertThat(DB.queryValue("SELECT generation FROM lockwise_lease WHERE lock_id = 'killed-job'")).isEqualTo(2L);
    }

    @Test
    void underNohupASigkillOfLockwiseStillTakesItsCommandDown() throws Exception {
        // nohup starts lockwise with SIGHUP ignored, which a shell cannot trap: the death signal must be another.
        Path beats = dir.resolve("beats-nohup");
        LockwiseProcess holder = LockwiseProcess.startUnder(DB, List.of("nohup"), "exclusive", "--lock", "nohup-job",
                "--ttl", "2s", "--", "sh", "-c", BEATER_WITH_GRANDCHILD, "beater", beats.toString());
        awaitFile(dir.resolve("beats-nohup.grandchild"));
        awaitFile(dir.resolve("beats-nohup.pid"));
        long child = pidIn(dir.resolve("beats-nohup.pid"));
        long grandchild = pidIn(dir.resolve("beats-nohup.grandchild"));
        holder.signal("KILL"); // nohup execs lockwise: this is lockwise's JVM
        awaitGone(child, Duration.ofSeconds(1));
        awaitGone(grandchild, Duration.ofSeconds(1));
    }

    @Test
    void sigtermWhileTheConnectionIsFrozenStillKillsACommandThatIgnoresSigtermBeforeTheNextHolderStarts()
            throws Exception {
        Path beats = dir.resolve("beats-term-frozen");
        Path started = dir.resolve("started-after-term");
        try (FreezableProxy proxy = FreezableProxy.inFrontOf(DB.jdbcUrl())) {
            LockwiseProcess holder = stubbornHolderThrough(proxy, "term-frozen", beats);
            try {
                proxy.freeze();
                Thread.sleep(1_000); // renewals failing: the validity runs out within the next second or so
                holder.signal("TERM");
                LockwiseProcess next = LockwiseProcess.start(DB, "exclusive", "--lock", "term-frozen", "--ttl", "3s",
                        "--wait", "30s", "--", "sh", "-c", STARTER, "starter", started.toString());
                assertThat(next.await(Duration.ofMinutes(1))).as(next.output()).isZero();
                assertThat(last(beats)).as("the holder's command, which ignores SIGTERM, stopped before the next"
                        + " holder started").isLessThan(last(started));
            } finally {
                proxy.heal();
                holder.process().destroyForcibly();
            }
        }
    }

    @Test
    void sigtermOfLockwiseTerminatesItsCommandsGroupAndReleasesTheLeaseAtOnce() throws Exception {
        Path beats = dir.resolve("beats-termed");
        LockwiseProcess holder = LockwiseProcess.start(DB, "exclusive", "--lock", "termed-job", "--ttl", "60s",
                "--", "sh", "-c", BEATER_WITH_GRANDCHILD, "beater", beats.toString());
        awaitFile(dir.resolve("beats-termed.grandchild"));
        long child = pidIn(dir.resolve("beats-termed.pid"));
        long grandchild = pidIn(dir.resolve("beats-termed.grandchild"));

        holder.signal("TERM");
        assertThat(holder.await(Duration.ofSeconds(20))).as(holder.output()).isEqualTo(143);
        assertThat(LockwiseProcess.running(child)).as("the command").isFalse();
        assertThat(LockwiseProcess.running(grandchild)).as("its child").isFalse();
        assertThat(DB.queryValue("SELECT count(*) FROM lockwise_lease WHERE lock_id = 'termed-job'"
                + " AND expires_at > clock_timestamp()")).as("released, not left to expire in 60 s").isEqualTo(0L);

        long before = System.nanoTime();
        LockwiseProcess next = LockwiseProcess.start(DB, "exclusive", "--lock", "termed-job", "--ttl", "60s",
                "--wait", "30s", "--", "true");
        assertThat(next.await(Duration.ofMinutes(1))).as(next.output()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void theCommandSeesItsLeaseAndNoSecret() throws Exception {
        Path env = dir.resolve("env");
        LockwiseProcess holder = LockwiseProcess.start(DB, "UTC", Map.of(
                        "LOCKWISE_DB_URL", DB.jdbcUrl() + (DB.jdbcUrl().contains("?") ? "&" : "?") + "password="
                                + DB.password() + "&ApplicationName=envtest",
                        "PGPASSWORD", "pg-secret-value", "LOCKWISE_DB_PASSWORD", DB.password()),
                "exclusive", "--lock", "env-job", "--ttl", "30s", "--", "sh", "-c", "env > \"$1\"", "env",
                env.toString());
        assertThat(holder.await(Duration.ofMinutes(1))).as(holder.output()).isZero();
        String seen = Files.readString(env);
        assertThat(seen).contains("LOCKWISE_LEASE_GENERATION=1").contains("LOCKWISE_LOCK_ID=env-job")
                .containsPattern("LOCKWISE_LEASE_VALID_MS=2\\d{4}\\n")
                .doesNotContain("LOCKWISE_DB_PASSWORD").doesNotContain("PGPASSWORD")
                .doesNotContain("pg-secret-value").doesNotContain("envtest");
    }

    @Test
    void aCommandThatCannotBeFoundOrRunGetsTheShellsExitCodes() throws Exception {
        Path script = dir.resolve("not-executable.sh");
        Files.writeString(script, "echo never\n");
        LockwiseProcess missing = LockwiseProcess.start(DB, "exclusive", "--lock", "missing", "--ttl", "5s", "--",
                "no-such-command-anywhere");
        assertThat(missing.await(Duration.ofMinutes(1))).as(missing.output()).isEqualTo(127);
        LockwiseProcess notExecutable = LockwiseProcess.start(DB, "exclusive", "--lock", "missing", "--ttl", "5s",
                "--", script.toString());
        assertThat(notExecutable.await(Duration.ofMinutes(1))).as(notExecutable.output()).isEqualTo(126);
    }
}
