package dev.lockwise.cli;

import dev.lockwise.adapter.lock.JdbcLeaseLock;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.cli.bench.AtomicStatementDeposits;
import dev.lockwise.cli.bench.Bench;
import dev.lockwise.cli.bench.BenchConfig;
import dev.lockwise.cli.bench.BenchDeposits;
import dev.lockwise.cli.bench.CellResult;
import dev.lockwise.cli.bench.DepositRunner;
import dev.lockwise.cli.bench.LockwiseDeposits;
import dev.lockwise.cli.bench.PairedComparison;
import dev.lockwise.cli.bench.Progress;
import dev.lockwise.cli.bench.Reports;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench harness on a tiny configuration: every cell runs, a broken strategy is caught, the files are valid. */
class BenchIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(12);

    @TempDir
    Path out;

    /** Read, add in Java, write back without any version check or lock: the classic lost update. */
    static final class LostUpdateDeposits implements BenchDeposits {
        @Override
        public String name() {
            return "broken";
        }

        @Override
        public void deposit(long accountId, long cents) {
            try (Connection connection = DB.dataSource().getConnection()) {
                BigDecimal balance;
                try (PreparedStatement read = connection.prepareStatement("SELECT balance FROM account WHERE id = ?")) {
                    read.setLong(1, accountId);
                    try (ResultSet row = read.executeQuery()) {
                        row.next();
                        balance = row.getBigDecimal(1);
                    }
                }
                Thread.sleep(1); // widen the window, as a slow request would
                try (PreparedStatement write = connection.prepareStatement(
                        "UPDATE account SET balance = ?, version = version + 1 WHERE id = ?")) {
                    write.setBigDecimal(1, balance.add(BigDecimal.valueOf(cents, 2)));
                    write.setLong(2, accountId);
                    write.executeUpdate();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void everyCellRunsTheInvariantsHoldAndTheFilesAreWritten() throws Exception {
        Map<String, BenchDeposits> deposits = new LinkedHashMap<>();
        Map<String, SetAsProcessed> processors = new LinkedHashMap<>();
        List<Lockwise> built = new java.util.ArrayList<>();
        for (Strategy strategy : Strategy.values()) {
            CountingEvents counts = new CountingEvents();
            Lockwise lockwise = Lockwise.builder(DB.dataSource()).strategy(strategy).events(counts).build();
            built.add(lockwise);
            deposits.put(strategy.label(), new LockwiseDeposits(lockwise, counts));
            processors.put(strategy.label(), lockwise.setAsProcessed());
        }
        deposits.put("baseline", new AtomicStatementDeposits(DB.dataSource()));
        try (JdbcLeaseLock leaseLock = new JdbcLeaseLock(DB.dataSource(), LeaseTable.DEFAULT)) {
            Bench bench = new Bench(DB.dataSource(), DepositRunner.inThisJvm(DB.dataSource(), deposits), processors,
                    leaseLock, Optional.empty(), Progress.NONE);
            BenchConfig tiny = new BenchConfig(BenchConfig.ALL_STRATEGIES, List.of(1, 20), List.of(2, 4),
                    Duration.ofMillis(100), Duration.ofMillis(150), 3, true, 500, 4, true, false, out, List.of(),
                    Duration.ofMillis(50), 1);
            List<CellResult> results = bench.run(tiny);

            int strategies = BenchConfig.ALL_STRATEGIES.size();
            // A seed and four sweep cells per deposit strategy, set-as-processed per library strategy, three lease cells.
            assertThat(results).hasSize(strategies + strategies * 2 * 2 + Strategy.values().length + 3);
            assertThat(results).allSatisfy(cell -> {
                assertThat(cell.invariantHolds()).as(cell.workload() + " " + cell.strategy() + ": "
                        + cell.invariantDetail()).isTrue();
                assertThat(cell.operations()).isPositive();
                assertThat(cell.exhausted()).isZero();
            });
            assertThat(results.stream().filter(c -> c.workload().equals("seed")))
                    .allSatisfy(cell -> assertThat(cell.operations()).isEqualTo(1000));

            // The statistics: every sweep cell keeps its three rounds, and adaptive is judged against the better of
            // the other two round by round, with an interval that holds the estimate and a verdict that follows it.
            Map<String, CellResult> sweep = Reports.sweepByKey(results);
            assertThat(sweep.values()).allSatisfy(cell -> assertThat(cell.roundRates()).hasSize(3));
            for (int accounts : List.of(1, 20)) {
                for (int callers : List.of(2, 4)) {
                    PairedComparison paired = PairedComparison.of(
                            sweep.get(Reports.sweepKey("adaptive", accounts, callers)).roundRates(),
                            betterOf(sweep.get(Reports.sweepKey("optimistic", accounts, callers)),
                                    sweep.get(Reports.sweepKey("pessimistic", accounts, callers))).roundRates())
                            .orElseThrow();
                    assertThat(paired.rounds()).isEqualTo(3);
                    assertThat(paired.lower()).isLessThanOrEqualTo(paired.ratio()).isPositive();
                    assertThat(paired.upper()).isGreaterThanOrEqualTo(paired.ratio());
                    assertThat(paired.verdict()).isEqualTo(paired.lower() > 1 ? PairedComparison.Verdict.AHEAD
                            : paired.upper() < 1 ? PairedComparison.Verdict.BEHIND
                            : PairedComparison.Verdict.WITHIN_NOISE);
                }
            }

            List<Path> files = Reports.write(results, out, "# tiny bench\n", 50);
            String markdown = Files.readString(out.resolve(Reports.MARKDOWN));
            assertThat(markdown).contains("| sweep | adaptive | 20 | 4 |")
                    .contains("adaptive ÷ the better of optimistic and pessimistic").contains("| 20 |")
                    .contains(PairedComparison.METHOD).containsPattern("\\d\\.\\d\\d \\[\\d\\.\\d\\d–\\d\\.\\d\\d\\]"
                            + " (ahead|behind|within noise)")
                    // Without pgbench, batched is judged against unbatched optimistic only.
                    .contains("batched ÷ each yardstick").containsPattern("\\| 20 \\| 4 \\|  \\|  \\| \\d\\.\\d\\d \\[");
            assertThat(Files.readAllLines(out.resolve(Reports.CSV))).hasSize(results.size() + 1);
            byte[] png = Files.readAllBytes(out.resolve(Reports.CHART));
            assertThat(png).startsWith(0x89, 'P', 'N', 'G');
            BufferedImage image = ImageIO.read(out.resolve(Reports.CHART).toFile());
            assertThat(image.getWidth()).isGreaterThan(image.getHeight());
            assertThat(files).hasSize(3);
        } finally {
            built.forEach(Lockwise::close);
        }
    }

    private static CellResult betterOf(CellResult a, CellResult b) {
        return a.operationsPerSecond() >= b.operationsPerSecond() ? a : b;
    }

    @Test
    void aStrategyThatLosesUpdatesFailsItsInvariantLoudly() throws Exception {
        BenchConfig config = new BenchConfig(List.of("optimistic"), List.of(1), List.of(8), Duration.ZERO,
                Duration.ofMillis(500), 1, false, 0, 1, false, false, out, List.of(), Duration.ofMillis(50), 1);
        // The broken strategy is driven through the same cell the real ones use.
        List<CellResult> results;
        try (JdbcLeaseLock lock = new JdbcLeaseLock(DB.dataSource(), LeaseTable.DEFAULT)) {
            results = new Bench(DB.dataSource(),
                    Map.of("optimistic", DepositRunner.inThisJvm(DB.dataSource(), new LostUpdateDeposits())), Map.of(),
                    lock, Optional.empty(), Progress.NONE).run(config);
        }
        assertThat(results).hasSize(1);
        CellResult cell = results.get(0);
        assertThat(cell.invariantHolds()).isFalse();
        assertThat(cell.invariantDetail()).contains("accounts wrong").contains("acknowledged");
        assertThat(Reports.table(results)).contains("FAILED: ");
    }

    @Test
    void theBenchCommandWritesItsFilesAndExitsZero() throws Exception {
        CommandLineIT.Result result = CommandLineIT.run(CommandLineIT.environmentFor(DB), "bench",
                "--accounts", "5", "--callers", "2", "--duration", "200ms", "--warmup", "0", "--no-seed",
                "--verfact-rows", "100", "--verfact-workers", "2", "--no-lease", "--no-pgbench", "--no-progress",
                "--rate", "400,100", "--open-loop-rounds", "2", "--p99-bound", "2s", "--out", out.toString());
        assertThat(result.code()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("All invariants held.").contains("pgbench side by side: no (--no-pgbench)")
                .contains("each strategy's deposits in a JVM of its own")
                // The bench turned synchronous_commit on for its database; the tests' server runs with fsync off,
                // and the report says that this makes nothing durable.
                .contains("- durability: NOT DURABLE (synchronous_commit=on, fsync=off)")
                .containsPattern("server settings: synchronous_commit=on, fsync=off, full_page_writes=\\w+,"
                        + " wal_sync_method=\\S+, commit_delay=0, shared_buffers=\\S+, max_connections=\\d+");
        // The open loop: each strategy offered 100/s, then 400/s (in increasing order), in two rounds of 600 ms,
        // with latency from intended start; at these rates all of them keep up. Each cell keeps its rounds' p99s.
        List<String> open = Files.readAllLines(out.resolve(Reports.CSV)).stream()
                .filter(line -> line.startsWith("open-loop,")).toList();
        assertThat(open).hasSize(2 * BenchConfig.ALL_STRATEGIES.size());
        assertThat(open.stream().map(line -> line.split(",")[17]).distinct()).containsExactly("100", "400");
        assertThat(open).allSatisfy(line -> {
            String[] fields = line.split(",");
            assertThat(fields[16]).isEqualTo("ok");
            double achieved = Long.parseLong(fields[4]) / (2 * 0.6);
            assertThat(achieved).as(line).isGreaterThan(0.9 * Double.parseDouble(fields[17]));
            // The rate the cell reports is its two rounds' deposits over their time together.
            assertThat(Double.parseDouble(fields[5])).as(line).isGreaterThan(0.9 * Double.parseDouble(fields[17]))
                    .isLessThanOrEqualTo(1.01 * Double.parseDouble(fields[17]));
            assertThat(fields[19].split(" ")).as(line).hasSize(2)
                    .allSatisfy(p99 -> assertThat(Double.parseDouble(p99)).isPositive());
        });
        // Every other strategy's p99 is compared with optimistic's over the two paired rounds.
        assertThat(Files.readString(out.resolve(Reports.MARKDOWN))).contains("Open loop: deposits offered at a fixed"
                + " rate").contains("Each rate runs in 2 round(s)").contains("p99 ÷ optimistic's")
                .containsPattern("\\| 5 \\| batched \\| 400 \\|.*\\| \\d+\\.\\d\\d \\[\\d+\\.\\d\\d–\\d+\\.\\d\\d\\]"
                        + " (lower|higher|within noise) \\|")
                .contains("Highest rate sustained").contains("| 5 | adaptive | 400 |");
        assertThat(out.resolve(Reports.CHART)).exists();
        // Every strategy's deposits were measured (in its worker JVM) and checked.
        List<String> sweep = Files.readAllLines(out.resolve(Reports.CSV)).stream()
                .filter(line -> line.startsWith("sweep,")).toList();
        assertThat(sweep).hasSize(BenchConfig.ALL_STRATEGIES.size())
                .allSatisfy(line -> assertThat(line.split(",")[16]).isEqualTo("ok"));
        assertThat(sweep.stream().map(line -> line.split(",")[1])).containsExactlyElementsOf(BenchConfig.ALL_STRATEGIES);
        assertThat(sweep.stream().map(line -> Long.parseLong(line.split(",")[4]))).allSatisfy(ops ->
                assertThat(ops).isPositive());
    }

    @Test
    void withSameJvmEveryStrategyIsMeasuredInTheBenchsOwnJvm() throws Exception {
        CommandLineIT.Result result = CommandLineIT.run(CommandLineIT.environmentFor(DB), "bench", "--same-jvm",
                "--strategies", "adaptive", "--accounts", "3", "--callers", "2", "--duration", "200ms", "--warmup", "0",
                "--no-seed", "--verfact-rows", "0", "--no-lease", "--no-pgbench", "--no-progress", "--rate", "0",
                "--no-durable", "--out",
                out.toString());
        assertThat(result.code()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("All invariants held.").contains("all strategies in one JVM")
                .contains("- durability: NOT DURABLE (synchronous_commit=off")
                .contains("server settings: synchronous_commit=off");
    }
}
