package dev.lockwise.reliability;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cron on several machines, with real processes: {@code lockwise exclusive --once-per} in JVMs whose wall clocks are
 * shifted by libfaketime (Debian's {@code faketime}; wall clock only, the monotonic clock untouched), a failed run,
 * a holder killed with SIGKILL, {@code --hold-at-least}, and {@code lockwise runs}. Slots and expiries are judged by
 * the database clock. Without libfaketime the clock-shift test is skipped, except in CI ({@code CI=true}), whose
 * {@code .ci/run} installs it.
 */
class ScheduledJobsIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(4);

    private static final Duration HOUR = Duration.ofHours(1);

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

    private static long databaseMillis() {
        return ((Number) DB.queryValue("SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint"))
                .longValue();
    }

    /** A {@code --slot-offset} that puts the database's now {@code into} an hour-long slot. */
    private static String slotOffsetPuttingNowAt(Duration into) {
        return Math.floorMod(databaseMillis() - into.toMillis(), HOUR.toMillis()) + "ms";
    }

    /** A {@code --slot-offset} that puts the database's now in the middle of an hour-long slot. */
    private static String midSlotOffset() {
        return slotOffsetPuttingNowAt(HOUR.dividedBy(2));
    }

    private LockwiseProcess start(Map<String, String> environment, String... args) throws IOException {
        return LockwiseProcess.start(DB, "UTC", environment, args);
    }

    private LockwiseProcess start(String... args) throws IOException {
        return start(Map.of(), args);
    }

    private static void awaitRow(String sql) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((Long) DB.queryValue(sql) == 0) {
            assertThat(System.nanoTime()).as("waiting for: " + sql).isLessThan(deadline);
            Thread.sleep(25);
        }
    }

    private static void awaitDatabaseClockPast(String sql) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Boolean) DB.queryValue("SELECT clock_timestamp() > (" + sql + ")")) {
            assertThat(System.nanoTime()).as("waiting for the database clock to pass: " + sql).isLessThan(deadline);
            Thread.sleep(25);
        }
    }

    @Test
    void threeMachinesWhoseClocksDisagreeByThreeMinutesRunTheJobOnceInTheSlot() throws Exception {
        ShiftedClocks clocks = ShiftedClocks.require();
        List<Integer> shifts = List.of(-90, 0, 90);
        clocks.proveShifts(shifts);
        Path ranLog = dir.resolve("ran");
        // The database's now 45 s into the slot: the machine 90 s behind believes it is in the previous slot, so a
        // slot taken from any client's clock would run the job twice here.
        String offset = slotOffsetPuttingNowAt(Duration.ofSeconds(45));
        List<LockwiseProcess> machines = new ArrayList<>();
        for (int shift : shifts) {
            machines.add(start(clocks.shiftedBy(shift), "exclusive", "--lock", "nightly", "--ttl", "5s",
                    "--wait", "60s", "--once-per", "1h", "--slot-offset", offset, "--", "sh", "-c",
                    "echo \"$LOCKWISE_LEASE_GENERATION\" >> \"$1\"; sleep 1", "job", ranLog.toString()));
            Thread.sleep(700); // staggered, as cron on three machines fires
        }
        List<Integer> exits = new ArrayList<>();
        for (LockwiseProcess machine : machines) {
            exits.add(machine.await(Duration.ofMinutes(2)));
        }
        assertThat(Files.readAllLines(ranLog)).as("the job ran exactly once").hasSize(1);
        assertThat(exits).containsExactlyInAnyOrder(0, 79, 79);

        Object[] run = DB.query("SELECT holder, exit_code, outcome, generation FROM scheduled_run").get(0);
        assertThat(DB.queryValue("SELECT count(*) FROM scheduled_run")).isEqualTo(1L);
        String holder = (String) run[0];
        assertThat(run[1]).isEqualTo(0);
        assertThat(run[2]).isEqualTo("succeeded");
        assertThat(Files.readAllLines(ranLog)).containsExactly(run[3].toString());
        LockwiseProcess winner = machines.get(exits.indexOf(0));
        assertThat(holder).startsWith(winner.process().pid() + "@");
        for (int i = 0; i < machines.size(); i++) {
            if (exits.get(i) == 79) {
                assertThat(machines.get(i).output()).contains("already had its run").contains("holder " + holder)
                        .contains("succeeded (exit 0)");
            }
        }
    }

    @Test
    void aFailedRunUsesUpTheSlotUnlessRetryFailedIsGiven() throws Exception {
        String offset = midSlotOffset();
        String[] once = {"exclusive", "--lock", "fails", "--ttl", "3s", "--once-per", "1h", "--slot-offset", offset};
        assertThat(start(concat(once, "--", "sh", "-c", "exit 3")).await(Duration.ofMinutes(1))).isEqualTo(3);

        Path ranLog = dir.resolve("ran");
        String[] job = {"--", "sh", "-c", "echo ran >> \"$1\"", "job", ranLog.toString()};
        LockwiseProcess notAgain = start(concat(once, job));
        assertThat(notAgain.await(Duration.ofMinutes(1))).as(notAgain.output()).isEqualTo(79);
        assertThat(notAgain.output()).contains("failed (exit 3)");
        assertThat(ranLog).doesNotExist();

        LockwiseProcess retried = start(concat(concat(once, "--retry-failed"), job));
        assertThat(retried.await(Duration.ofMinutes(1))).as(retried.output()).isZero();
        assertThat(Files.readAllLines(ranLog)).hasSize(1);
        assertThat(DB.query("SELECT outcome, exit_code FROM scheduled_run ORDER BY started_at"))
                .containsExactly(new Object[] {"failed", 3}, new Object[] {"succeeded", 0});
    }

    @Test
    void aHolderKilledMidRunLeavesAnAbandonedRunThatEndsTheSlotUnlessRetryFailedIsGiven() throws Exception {
        String offset = midSlotOffset();
        String[] once = {"exclusive", "--lock", "killed", "--ttl", "2s", "--wait", "20s", "--once-per", "1h",
                "--slot-offset", offset};
        LockwiseProcess victim = start(concat(once, "--", "sleep", "60"));
        awaitRow("SELECT count(*) FROM scheduled_run WHERE outcome = 'running'");
        victim.signal("KILL");
        assertThat(victim.await(Duration.ofSeconds(30))).isEqualTo(137);

        Path ranLog = dir.resolve("ran");
        String[] job = {"--", "sh", "-c", "echo ran >> \"$1\"", "job", ranLog.toString()};
        LockwiseProcess notAgain = start(concat(once, job));
        assertThat(notAgain.await(Duration.ofMinutes(1))).as(notAgain.output()).isEqualTo(79);
        assertThat(notAgain.output()).contains("abandoned");
        assertThat(ranLog).doesNotExist();

        LockwiseProcess retried = start(concat(concat(once, "--retry-failed"), job));
        assertThat(retried.await(Duration.ofMinutes(1))).as(retried.output()).isZero();
        assertThat(Files.readAllLines(ranLog)).hasSize(1);

        LockwiseProcess runs = start("runs", "--lock", "killed", "--output", "json");
        assertThat(runs.await(Duration.ofMinutes(1))).as(runs.output()).isZero();
        List<String> lines = runs.output().lines().filter(line -> line.startsWith("{")).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"outcome\":\"succeeded\"").contains("\"exit_code\":0");
        assertThat(lines.get(1)).contains("\"outcome\":\"abandoned\"").contains("\"exit_code\":null");

        LockwiseProcess last = start("runs", "--lock", "killed", "--last", "1");
        assertThat(last.await(Duration.ofMinutes(1))).as(last.output()).isZero();
        assertThat(last.output()).contains("succeeded (exit 0)").doesNotContain("abandoned");
    }

    @Test
    void holdAtLeastKeepsTheLeaseAfterAShortJobUntilAcquisitionPlusTheHold() throws Exception {
        long before = databaseMillis();
        LockwiseProcess first = start("exclusive", "--lock", "held", "--ttl", "10s", "--hold-at-least", "8s", "--",
                "sleep", "1");
        assertThat(first.await(Duration.ofMinutes(1))).as(first.output()).isZero();
        long after = databaseMillis();
        long acquired = ((Number) DB.queryValue("SELECT floor(extract(epoch FROM expires_at) * 1000)::bigint - 8000"
                + " FROM lockwise_lease WHERE lock_id = 'held'")).longValue();
        assertThat(acquired).as("expiry = acquisition + hold, acquisition during the first run")
                .isBetween(before, after);

        LockwiseProcess second = start("exclusive", "--lock", "held", "--ttl", "10s", "--", "true");
        assertThat(second.await(Duration.ofMinutes(1))).as(second.output()).isEqualTo(75);
        assertThat((Boolean) DB.queryValue("SELECT clock_timestamp() < expires_at FROM lockwise_lease"))
                .as("the second asked within the hold").isTrue();

        awaitDatabaseClockPast("SELECT expires_at FROM lockwise_lease WHERE lock_id = 'held'");
        LockwiseProcess third = start("exclusive", "--lock", "held", "--ttl", "10s", "--", "true");
        assertThat(third.await(Duration.ofMinutes(1))).as(third.output()).isZero();
    }

    @Test
    void badScheduleOptionsAreRefusedWithExitTwoAndChangeNothing() throws Exception {
        for (String[] args : List.of(
                new String[] {"--ttl", "5s", "--hold-at-least", "6s"},
                new String[] {"--ttl", "5s", "--once-per", "500ms"},
                new String[] {"--ttl", "5s", "--once-per", "1h", "--slot-offset", "1h"},
                new String[] {"--ttl", "5s", "--slot-offset", "2h"},
                new String[] {"--ttl", "5s", "--retry-failed"})) {
            LockwiseProcess refused = start(concat(concat(new String[] {"exclusive", "--lock", "bad"}, args),
                    "--", "true"));
            assertThat(refused.await(Duration.ofMinutes(1))).as(refused.output()).isEqualTo(2);
            assertThat(refused.output().lines().filter(line -> !line.isBlank()).count()).as(refused.output())
                    .isEqualTo(1);
        }
        for (String last : List.of("0", "-1", "10001", "many")) {
            LockwiseProcess refused = start("runs", "--lock", "bad", "--last", last);
            assertThat(refused.await(Duration.ofMinutes(1))).as(refused.output()).isEqualTo(2);
            assertThat(refused.output().lines().filter(line -> !line.isBlank()).toList()).as(refused.output())
                    .singleElement().asString().contains("--last");
        }
        assertThat(DB.queryValue("SELECT count(*) FROM lockwise_lease")).isEqualTo(0L);
        assertThat(DB.queryValue("SELECT count(*) FROM scheduled_run")).isEqualTo(0L);
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = new String[first.length + rest.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }
}
