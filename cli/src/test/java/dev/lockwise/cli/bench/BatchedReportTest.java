package dev.lockwise.cli.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The batched strategy's table in the report: each yardstick paired by round and judged against its own goal. */
class BatchedReportTest {
    private static CellResult sweep(String strategy, int accounts, List<Double> rounds, List<Double> pgbench) {
        return new CellResult("sweep", strategy, accounts, 16, 0, 1000, 1, 1, 2, 3, 4, 0, 0, 0, 0, true, "ok", rounds,
                pgbench);
    }

    @Test
    void batchedIsJudgedAgainstPgbenchsTwoScriptsAndUnbatchedOptimisticRoundByRound() {
        List<CellResult> cells = List.of(
                sweep("optimistic", 100, List.of(4000.0, 4200.0, 3800.0), List.of(5000.0, 5200.0, 4700.0)),
                sweep("baseline", 100, List.of(7000.0, 7500.0, 6900.0), List.of(8000.0, 8100.0, 7800.0)),
                // Round by round: 2.0, 2.0, 2.1 of pgbench optimistic; 1.25, 1.28, 1.26 of pgbench atomic.
                sweep("batched", 100, List.of(10000.0, 10400.0, 9870.0), List.of()),
                sweep("optimistic", 10000, List.of(4000.0, 4000.0, 4000.0), List.of(4000.0, 4100.0, 3900.0)),
                sweep("baseline", 10000, List.of(7000.0, 7000.0, 7000.0), List.of(5000.0, 9000.0, 5000.0)),
                sweep("batched", 10000, List.of(5000.0, 6200.0, 5400.0), List.of()));

        String table = Reports.batchedAgainstItsYardsticks(cells).orElseThrow();

        assertThat(table).contains("÷ pgbench optimistic (goal ≥ 1.5)").contains("÷ pgbench atomic (goal ≥ 1.0)")
                .contains("÷ optimistic (goal ≥ 1.0)");
        String hundred = table.lines().filter(line -> line.startsWith("| 100 | 16 |")).findFirst().orElseThrow();
        assertThat(hundred).containsPattern("\\| 2\\.0\\d \\[\\d\\.\\d\\d–\\d\\.\\d\\d\\] ahead of 1\\.5 \\|")
                .containsPattern("\\| 1\\.2\\d \\[1\\.\\d\\d–1\\.\\d\\d\\] ahead \\|")
                .containsPattern("\\| 2\\.5\\d \\[\\d\\.\\d\\d–\\d\\.\\d\\d\\] ahead \\|$");
        // 10 000 accounts: 1.25, 1.51, 1.38 of pgbench optimistic — the interval holds 1.5, so the rounds cannot tell;
        // against an atomic pgbench that swung between rounds, within noise too.
        String tenThousand = table.lines().filter(line -> line.startsWith("| 10000 | 16 |")).findFirst().orElseThrow();
        assertThat(tenThousand).contains("within noise of 1.5").containsPattern("\\] within noise \\|");
    }

    @Test
    void withoutBatchedOrWithoutRoundsThereIsNoTable() {
        assertThat(Reports.batchedAgainstItsYardsticks(List.of(
                sweep("optimistic", 1, List.of(1.0, 2.0), List.of(1.0, 2.0))))).isEmpty();
        assertThat(Reports.batchedAgainstItsYardsticks(List.of(sweep("batched", 1, List.of(), List.of()),
                sweep("optimistic", 1, List.of(), List.of())))).isEmpty();
    }
}
