package dev.lockwise.cli.bench;

import org.apache.commons.math3.distribution.TDistribution;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How one contender compares with another over paired rounds: in round {@code i} both ran back to back, so the
 * machine's drift between rounds (checkpoints, autovacuum, other tenants) moves both and cancels in their ratio.
 * The estimate is the geometric mean of the per-round ratios; its 95 % confidence interval is Student's t on the
 * logarithms of the ratios ({@code mean ± t(0.975, n−1) · s / √n}, exponentiated). The t interval rather than a
 * bootstrap: with 5 to 20 rounds a percentile bootstrap is known to be too narrow, and log ratios of throughputs are
 * close enough to normal for t to hold. The open loop compares per-round p99s the same way; a round's p99 is far
 * noisier than its throughput, and the intervals are wide accordingly.
 *
 * @param rounds the number of paired rounds (at least 2)
 * @param ratio  the geometric mean of the per-round ratios
 * @param lower  the interval's lower end
 * @param upper  the interval's upper end
 */
public record PairedComparison(int rounds, double ratio, double lower, double upper) {
    /** The method, as the reports name it. */
    public static final String METHOD = "geometric mean of the per-round ratios of paired rounds (run back to back),"
            + " with a 95 % confidence interval from Student's t on the log ratios";

    /** What the interval says about a ratio against a threshold. */
    public enum Verdict {
        /** The whole interval is above the threshold. */
        AHEAD("ahead"),
        /** The whole interval is below the threshold. */
        BEHIND("behind"),
        /** The interval contains the threshold: the rounds cannot tell. */
        WITHIN_NOISE("within noise");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        /** @return the verdict as the reports print it */
        public String label() {
            return label;
        }
    }

    /**
     * Compares {@code numerator} with {@code denominator} round by round.
     *
     * @param numerator   the contender's value in each round (a rate, or an open-loop p99)
     * @param denominator the other's value in the same rounds, in the same order
     * @return the comparison, or empty when fewer than two rounds have both rates positive
     */
    public static Optional<PairedComparison> of(List<Double> numerator, List<Double> denominator) {
        int n = Math.min(numerator.size(), denominator.size());
        double[] logs = new double[n];
        int used = 0;
        for (int i = 0; i < n; i++) {
            double a = numerator.get(i);
            double b = denominator.get(i);
            if (a > 0 && b > 0 && Double.isFinite(a) && Double.isFinite(b)) {
                logs[used++] = Math.log(a / b);
            }
        }
        if (used < 2) {
            return Optional.empty();
        }
        double mean = 0;
        for (int i = 0; i < used; i++) {
            mean += logs[i];
        }
        mean /= used;
        double squares = 0;
        for (int i = 0; i < used; i++) {
            squares += (logs[i] - mean) * (logs[i] - mean);
        }
        double standardError = Math.sqrt(squares / (used - 1)) / Math.sqrt(used);
        double t = new TDistribution(null, used - 1).inverseCumulativeProbability(0.975);
        return Optional.of(new PairedComparison(used, Math.exp(mean), Math.exp(mean - t * standardError),
                Math.exp(mean + t * standardError)));
    }

    /**
     * @param threshold the ratio to judge against (1 for "as fast as")
     * @return ahead when the interval lies above {@code threshold}, behind when below, else within noise
     */
    public Verdict against(double threshold) {
        if (lower > threshold) {
            return Verdict.AHEAD;
        }
        return upper < threshold ? Verdict.BEHIND : Verdict.WITHIN_NOISE;
    }

    /** @return the verdict against 1: is the contender faster, slower, or can the rounds not tell */
    public Verdict verdict() {
        return against(1.0);
    }

    /** @return the interval's width relative to the estimate: {@code (upper − lower) / ratio} */
    public double relativeWidth() {
        return (upper - lower) / ratio;
    }

    /**
     * For a ratio where lower is better (latencies): the contender's value is <em>higher</em> when the whole interval
     * is above 1 (the verdict {@link Verdict#AHEAD} of a throughput), <em>lower</em> when below.
     *
     * @return e.g. {@code 0.81 [0.70–0.94] lower}, {@code 1.30 [1.10–1.52] higher} or {@code … within noise}
     */
    public String formatLowerIsBetter() {
        String label = switch (verdict()) {
            case AHEAD -> "higher";
            case BEHIND -> "lower";
            case WITHIN_NOISE -> Verdict.WITHIN_NOISE.label();
        };
        return format(label);
    }

    /** @return e.g. {@code 1.23 [1.10–1.37] ahead} (no comma: it goes into CSV cells too) */
    public String format() {
        return format(verdict().label());
    }

    private String format(String label) {
        return String.format(Locale.ROOT, "%.2f [%.2f–%.2f] %s", ratio, lower, upper, label);
    }
}
