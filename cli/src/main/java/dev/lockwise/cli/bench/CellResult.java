package dev.lockwise.cli.bench;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One measured cell: a workload with one strategy at one contention level. {@code invariantHolds} is the result of
 * the check run after the cell (balances equal what was acknowledged, exactly-once processing, no lease overlap).
 *
 * @param offeredRate       deposits offered per second in an open-loop cell (latencies then count from each
 *                          deposit's intended start); 0 in a closed loop
 * @param roundRates        ops/s of each round, when the cell was measured in rounds (see {@link Bench}); empty
 *                          otherwise
 * @param pgbenchRoundRates pgbench's tps running the same SQL in each round, right after this strategy's run in that
 *                          round (paired with {@code roundRates} by index); empty when pgbench did not run
 * @param roundP99Millis    an open-loop cell's p99 of each round, in the order of the rounds (so that two strategies
 *                          offered the same rate in the same rounds pair by index); the cell's own percentiles are
 *                          those of all its rounds' latencies together. Empty for a closed-loop cell
 */
public record CellResult(String workload, String strategy, int rows, int callers, double offeredRate,
                         long operations, double seconds, double p50Millis, double p95Millis, double p99Millis,
                         double p999Millis, long conflicts, long retries,
                         long exhausted, long errors, boolean invariantHolds, String invariantDetail,
                         List<Double> roundRates, List<Double> pgbenchRoundRates, List<Double> roundP99Millis) {

    public CellResult {
        roundRates = List.copyOf(roundRates);
        pgbenchRoundRates = List.copyOf(pgbenchRoundRates);
        roundP99Millis = List.copyOf(roundP99Millis);
    }

    /** A cell without per-round latencies: a closed-loop one. */
    public CellResult(String workload, String strategy, int rows, int callers, double offeredRate, long operations,
                      double seconds, double p50Millis, double p95Millis, double p99Millis, double p999Millis,
                      long conflicts, long retries, long exhausted, long errors, boolean invariantHolds,
                      String invariantDetail, List<Double> roundRates, List<Double> pgbenchRoundRates) {
        this(workload, strategy, rows, callers, offeredRate, operations, seconds, p50Millis, p95Millis, p99Millis,
                p999Millis, conflicts, retries, exhausted, errors, invariantHolds, invariantDetail, roundRates,
                pgbenchRoundRates, List.of());
    }

    /** ops/s: the median of the rounds when measured in rounds (robust to one disturbed round), else ops ÷ time. */
    public double operationsPerSecond() {
        if (!roundRates.isEmpty()) {
            return median(roundRates);
        }
        return seconds <= 0 ? 0 : operations / seconds;
    }

    /** pgbench's tps for the same SQL at the same client count: the median of its rounds, when it ran. */
    public OptionalDouble pgbenchTps() {
        return pgbenchRoundRates.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(median(pgbenchRoundRates));
    }

    /**
     * Lockwise ÷ pgbench over the paired rounds, with its interval and verdict: empty with fewer than two rounds.
     *
     * @return the comparison, when pgbench ran in at least two rounds
     */
    public Optional<PairedComparison> versusPgbench() {
        return PairedComparison.of(roundRates, pgbenchRoundRates);
    }

    /** Lockwise ops/s ÷ pgbench tps: the paired estimate when there are rounds, else the plain ratio. */
    public OptionalDouble ratio() {
        Optional<PairedComparison> paired = versusPgbench();
        if (paired.isPresent()) {
            return OptionalDouble.of(paired.get().ratio());
        }
        OptionalDouble tps = pgbenchTps();
        return tps.isPresent() && tps.getAsDouble() > 0
                ? OptionalDouble.of(operationsPerSecond() / tps.getAsDouble()) : OptionalDouble.empty();
    }

    /** @return this cell with pgbench's tps of each round */
    public CellResult withPgbench(List<Double> tpsPerRound) {
        return new CellResult(workload, strategy, rows, callers, offeredRate, operations, seconds, p50Millis, p95Millis,
                p99Millis, p999Millis, conflicts, retries, exhausted, errors, invariantHolds, invariantDetail,
                roundRates, tpsPerRound, roundP99Millis);
    }

    /**
     * @param rate     deposits offered per second
     * @param roundP99Millis the p99 of each round, in milliseconds
     * @return this cell as an open-loop cell offered {@code rate} deposits per second in rounds
     */
    public CellResult offeredAt(double rate, List<Double> roundP99Millis) {
        return new CellResult(workload, strategy, rows, callers, rate, operations, seconds, p50Millis, p95Millis,
                p99Millis, p999Millis, conflicts, retries, exhausted, errors, invariantHolds, invariantDetail,
                roundRates, pgbenchRoundRates, roundP99Millis);
    }

    /** @return this cell with the ops/s of each round */
    public CellResult withRoundRates(List<Double> rates) {
        return new CellResult(workload, strategy, rows, callers, offeredRate, operations, seconds, p50Millis, p95Millis,
                p99Millis, p999Millis, conflicts, retries, exhausted, errors, invariantHolds, invariantDetail, rates,
                pgbenchRoundRates, roundP99Millis);
    }

    /** @return an open-loop cell's achieved rate: acknowledged deposits per second of the run */
    public double achievedRate() {
        return seconds <= 0 ? 0 : operations / seconds;
    }

    /**
     * @param p99Bound the latency bound
     * @return whether an open-loop cell kept up: at least 95 % of the offered rate acknowledged and p99 within
     *         {@code p99Bound} milliseconds
     */
    public boolean sustained(double p99Bound) {
        return offeredRate > 0 && achievedRate() >= 0.95 * offeredRate && p99Millis <= p99Bound;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
