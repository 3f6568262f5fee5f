package dev.lockwise.bootstrap.bench;

import java.util.OptionalDouble;

/**
 * One measured cell: a workload with one strategy at one contention level. {@code invariantHolds} is the result of
 * the check run after the cell (balances equal what was acknowledged, exactly-once processing, no lease overlap).
 */
public record CellResult(String workload, String strategy, int rows, int callers, long operations, double seconds,
                         double p50Millis, double p95Millis, double p99Millis, long conflicts, long retries,
                         long exhausted, long errors, boolean invariantHolds, String invariantDetail,
                         OptionalDouble pgbenchTps) {

    public double operationsPerSecond() {
        return seconds <= 0 ? 0 : operations / seconds;
    }

    /** Lockwise ops/s ÷ pgbench tps running the same SQL at the same client count, when pgbench ran. */
    public OptionalDouble ratio() {
        return pgbenchTps.isPresent() && pgbenchTps.getAsDouble() > 0
                ? OptionalDouble.of(operationsPerSecond() / pgbenchTps.getAsDouble()) : OptionalDouble.empty();
    }

    public CellResult withPgbench(double tps) {
        return new CellResult(workload, strategy, rows, callers, operations, seconds, p50Millis, p95Millis, p99Millis,
                conflicts, retries, exhausted, errors, invariantHolds, invariantDetail, OptionalDouble.of(tps));
    }
}
