package dev.lockwise.cli.bench;

import java.util.List;
import java.util.OptionalDouble;

/**
 * One measured cell: a workload with one strategy at one contention level. {@code invariantHolds} is the result of
 * the check run after the cell (balances equal what was acknowledged, exactly-once processing, no lease overlap).
 *
 * @param roundRates ops/s of each round, when the cell was measured in rounds (see {@link Bench}); empty otherwise
 */
public record CellResult(String workload, String strategy, int rows, int callers, long operations, double seconds,
                         double p50Millis, double p95Millis, double p99Millis, long conflicts, long retries,
                         long exhausted, long errors, boolean invariantHolds, String invariantDetail,
                         OptionalDouble pgbenchTps, List<Double> roundRates) {

    public CellResult {
        roundRates = List.copyOf(roundRates);
    }

    /** ops/s: the median of the rounds when measured in rounds (robust to one disturbed round), else ops ÷ time. */
    public double operationsPerSecond() {
        if (!roundRates.isEmpty()) {
            List<Double> sorted = roundRates.stream().sorted().toList();
            int middle = sorted.size() / 2;
            return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
        }
        return seconds <= 0 ? 0 : operations / seconds;
    }

    /** Lockwise ops/s ÷ pgbench tps running the same SQL at the same client count, when pgbench ran. */
    public OptionalDouble ratio() {
        return pgbenchTps.isPresent() && pgbenchTps.getAsDouble() > 0
                ? OptionalDouble.of(operationsPerSecond() / pgbenchTps.getAsDouble()) : OptionalDouble.empty();
    }

    public CellResult withPgbench(double tps) {
        return new CellResult(workload, strategy, rows, callers, operations, seconds, p50Millis, p95Millis, p99Millis,
                conflicts, retries, exhausted, errors, invariantHolds, invariantDetail, OptionalDouble.of(tps),
                roundRates);
    }

    public CellResult withRoundRates(List<Double> rates) {
        return new CellResult(workload, strategy, rows, callers, operations, seconds, p50Millis, p95Millis, p99Millis,
                conflicts, retries, exhausted, errors, invariantHolds, invariantDetail, pgbenchTps, rates);
    }
}
