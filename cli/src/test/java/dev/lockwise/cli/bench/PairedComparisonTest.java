package dev.lockwise.cli.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The paired-rounds statistics, against values worked out by hand. */
class PairedComparisonTest {
    @Test
    void theEstimateIsTheGeometricMeanOfThePerRoundRatiosWithAStudentTInterval() {
        // Ratios 1.1, 1.2, 1.0, 1.3 in four rounds, each pair moved together by the machine's drift.
        PairedComparison paired = PairedComparison.of(List.of(110.0, 240.0, 90.0, 130.0),
                List.of(100.0, 200.0, 90.0, 100.0)).orElseThrow();
        double[] logs = {Math.log(1.1), Math.log(1.2), Math.log(1.0), Math.log(1.3)};
        double mean = (logs[0] + logs[1] + logs[2] + logs[3]) / 4;
        double variance = 0;
        for (double log : logs) {
            variance += (log - mean) * (log - mean) / 3;
        }
        double halfWidth = 3.182446305284263 * Math.sqrt(variance / 4); // t(0.975, 3)
        assertThat(paired.rounds()).isEqualTo(4);
        assertThat(paired.ratio()).isCloseTo(Math.exp(mean), within(1e-12));
        assertThat(paired.lower()).isCloseTo(Math.exp(mean - halfWidth), within(1e-9));
        assertThat(paired.upper()).isCloseTo(Math.exp(mean + halfWidth), within(1e-9));
        assertThat(paired.lower()).isLessThan(1.0);
        assertThat(paired.verdict()).isEqualTo(PairedComparison.Verdict.WITHIN_NOISE);
        assertThat(paired.format()).matches("1\\.14 \\[0\\.9\\d–1\\.3\\d\\] within noise");
    }

    @Test
    void verdictsFollowTheInterval() {
        PairedComparison ahead = PairedComparison.of(List.of(120.0, 125.0, 118.0), List.of(100.0, 100.0, 100.0))
                .orElseThrow();
        assertThat(ahead.lower()).isGreaterThan(1.0);
        assertThat(ahead.verdict()).isEqualTo(PairedComparison.Verdict.AHEAD);
        assertThat(ahead.against(1.5)).isEqualTo(PairedComparison.Verdict.BEHIND);

        PairedComparison behind = PairedComparison.of(List.of(80.0, 82.0, 79.0), List.of(100.0, 100.0, 100.0))
                .orElseThrow();
        assertThat(behind.upper()).isLessThan(1.0);
        assertThat(behind.verdict()).isEqualTo(PairedComparison.Verdict.BEHIND);
        assertThat(behind.against(0.7)).isEqualTo(PairedComparison.Verdict.AHEAD);
    }

    @Test
    void aRatioOfLatenciesSaysLowerOrHigherForLowerIsBetter() {
        // Per-round p99s: the contender's at 0.8 of the other's, then at 1.25 times, then mixed.
        PairedComparison lower = PairedComparison.of(List.of(0.8, 1.6, 2.4), List.of(1.0, 2.0, 3.0)).orElseThrow();
        PairedComparison higher = PairedComparison.of(List.of(1.25, 2.5, 3.8), List.of(1.0, 2.0, 3.0)).orElseThrow();
        PairedComparison mixed = PairedComparison.of(List.of(0.8, 2.5, 3.0), List.of(1.0, 2.0, 3.0)).orElseThrow();
        assertThat(lower.formatLowerIsBetter()).isEqualTo("0.80 [0.80–0.80] lower");
        assertThat(higher.formatLowerIsBetter()).matches("1\\.2\\d \\[1\\.2\\d–1\\.2\\d\\] higher");
        assertThat(mixed.formatLowerIsBetter()).endsWith(" within noise");
    }

    @Test
    void pairingCancelsDriftThatMovesBothContendersAlike() {
        // The machine halves in speed every other round; the contender is always 10 % ahead.
        PairedComparison paired = PairedComparison.of(List.of(1100.0, 550.0, 1100.0, 550.0, 1100.0),
                List.of(1000.0, 500.0, 1000.0, 500.0, 1000.0)).orElseThrow();
        assertThat(paired.ratio()).isCloseTo(1.1, within(1e-12));
        assertThat(paired.relativeWidth()).isCloseTo(0, within(1e-12));
        assertThat(paired.verdict()).isEqualTo(PairedComparison.Verdict.AHEAD);
    }

    @Test
    void fewerThanTwoUsableRoundsGiveNoInterval() {
        assertThat(PairedComparison.of(List.of(1.0), List.of(1.0))).isEmpty();
        assertThat(PairedComparison.of(List.of(1.0, 2.0), List.of(1.0, 0.0))).isEmpty();
        assertThat(PairedComparison.of(List.of(), List.of())).isEmpty();
    }
}
