package dev.lockwise.cli.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The open-loop table: each strategy's p99 against optimistic's at the same accounts and rate, paired by round. */
class OpenLoopReportTest {
    private static final double BOUND_MILLIS = 50;

    /** An open-loop cell of 1 s per round; {@code acknowledged} deposits in all, the rounds' p99s as given. */
    private static CellResult offered(String strategy, int accounts, int rate, long acknowledged,
                                      List<Double> roundP99Millis) {
        double p99 = roundP99Millis.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return new CellResult("open-loop", strategy, accounts, 64, 0, acknowledged, roundP99Millis.size(), 0.5, 1,
                p99, p99 * 2, 0, 0, 0, 0, true, "ok", List.of(), List.of(), List.of())
                .offeredAt(rate, roundP99Millis);
    }

    @Test
    void eachStrategysP99IsPairedRoundByRoundWithOptimisticsAtTheSameAccountsAndRate() {
        CellResult optimistic = offered("optimistic", 100, 500, 1500, List.of(2.0, 4.0, 3.0));
        // 1.1 times optimistic's p99 in every round: the interval collapses onto 1.10, wholly above 1.
        CellResult batched = offered("batched", 100, 500, 1500, List.of(2.2, 4.4, 3.3));
        // Same accounts, another rate: paired with optimistic at that rate, not at 500/s.
        CellResult optimisticFaster = offered("optimistic", 100, 1000, 3000, List.of(4.0, 4.0, 8.0));
        CellResult batchedFaster = offered("batched", 100, 1000, 3000, List.of(2.0, 2.0, 4.0));

        assertThat(Reports.p99AgainstOptimistic(batched, optimistic, BOUND_MILLIS))
                .isEqualTo("1.10 [1.10–1.10] higher");
        assertThat(Reports.p99AgainstOptimistic(batchedFaster, optimisticFaster, BOUND_MILLIS))
                .isEqualTo("0.50 [0.50–0.50] lower");
        String table = Reports.openLoop(List.of(optimistic, batched, optimisticFaster, batchedFaster), BOUND_MILLIS)
                .orElseThrow();
        assertThat(table).contains("Each rate runs in 3 round(s)")
                .containsPattern("\\| 100 \\| batched \\| 500 \\| 500 \\|.*\\| yes \\| 1\\.10 \\[1\\.10–1\\.10\\] higher \\|")
                .containsPattern("\\| 100 \\| batched \\| 1000 \\| 1000 \\|.*\\| yes \\| 0\\.50 \\[0\\.50–0\\.50\\] lower \\|")
                // Optimistic is not compared with itself.
                .containsPattern("\\| 100 \\| optimistic \\| 500 \\| 500 \\|.*\\| yes \\|  \\|");
    }

    @Test
    void noRatioWhereEitherMissedTheRateOrOptimisticDidNotRunOrThereIsOneRound() {
        CellResult batched = offered("batched", 100, 2000, 6000, List.of(3.0, 3.0, 3.0));
        // Optimistic acknowledged a third of what was offered: its p99 counts deposits given up, a lower bound.
        CellResult optimisticBehind = offered("optimistic", 100, 2000, 2000, List.of(9.0, 9.0, 9.0));
        assertThat(optimisticBehind.sustained(BOUND_MILLIS)).isFalse();
        assertThat(Reports.p99AgainstOptimistic(batched, optimisticBehind, BOUND_MILLIS)).isEmpty();
        // Batched past the bound, optimistic within it.
        CellResult batchedSlow = offered("batched", 100, 500, 1500, List.of(80.0, 90.0, 70.0));
        CellResult optimistic = offered("optimistic", 100, 500, 1500, List.of(2.0, 3.0, 2.0));
        assertThat(Reports.p99AgainstOptimistic(batchedSlow, optimistic, BOUND_MILLIS)).isEmpty();
        // No optimistic at this rate (it stopped below, or was not among the strategies).
        assertThat(Reports.p99AgainstOptimistic(batched, null, BOUND_MILLIS)).isEmpty();
        // One round: a ratio, but no interval to judge it by.
        assertThat(Reports.p99AgainstOptimistic(offered("batched", 100, 500, 500, List.of(2.0)),
                offered("optimistic", 100, 500, 500, List.of(3.0)), BOUND_MILLIS)).isEmpty();
    }
}
