package dev.lockwise.cli.bench;

import dev.lockwise.domain.InvalidInputException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@code lockwise bench} runs. The defaults are the full sweep; tests use a tiny one.
 *
 * @param strategies   deposit strategies to compare (optimistic, pessimistic, adaptive, batched, baseline)
 * @param accounts     contention levels: accounts the deposits spread over
 * @param callers      concurrent callers
 * @param warmup       unmeasured run before each cell
 * @param duration     measured run of each cell in each round
 * @param rounds       rounds of the contention sweep: each cell is measured this many times per strategy, the
 *                     strategies in a rotated order each round, and the rounds are pooled (see {@link Bench})
 * @param seed         run the seed workload (1000 deposits, 100 accounts, 100 callers) first
 * @param verfactRows  rows for the set-as-processed workload (0 = skip)
 * @param verfactWorkers workers for the set-as-processed workload
 * @param lease        run the lease workloads
 * @param pgbench      run pgbench side by side when it is on the PATH
 * @param output       directory for the Markdown, CSV and PNG files
 * @param rates        open-loop arrival rates (deposits per second), tried in increasing order for every contention
 *                     level, with the largest caller count as the most in flight; a strategy stops at the first rate
 *                     it does not sustain. Empty: no open loop
 * @param p99Bound     the latency a sustained rate must keep p99 within
 * @param openLoopRounds rounds of each open-loop rate: in each, every strategy still going is offered the rate for
 *                     three times {@code duration}, in an order rotated by round, so that strategies pair by round
 *                     and their p99s can be compared with an interval (see {@link Bench})
 */
public record BenchConfig(List<String> strategies, List<Integer> accounts, List<Integer> callers, Duration warmup,
                          Duration duration, int rounds, boolean seed, int verfactRows, int verfactWorkers, boolean lease,
                          boolean pgbench, Path output, List<Integer> rates, Duration p99Bound,
                          int openLoopRounds) {
    public static final List<String> ALL_STRATEGIES = List.of("optimistic", "pessimistic", "adaptive", "batched", "baseline");

    public BenchConfig {
        Objects.requireNonNull(output, "output");
        strategies = List.copyOf(strategies);
        accounts = List.copyOf(accounts);
        callers = List.copyOf(callers);
        rates = rates.stream().sorted().distinct().toList();
        Objects.requireNonNull(p99Bound, "p99Bound");
        if (rates.stream().anyMatch(r -> r < 1 || r > 10_000_000)) {
            throw new InvalidInputException("bench rates must be between 1 and 10000000 per second, got " + rates);
        }
        if (p99Bound.isNegative() || p99Bound.isZero()) {
            throw new InvalidInputException("bench p99 bound must be positive");
        }
        for (String strategy : strategies) {
            if (!ALL_STRATEGIES.contains(strategy)) {
                throw new InvalidInputException("unknown bench strategy '" + strategy + "'; valid choices: "
                        + String.join(", ", ALL_STRATEGIES));
            }
        }
        if (strategies.isEmpty() || accounts.isEmpty() || callers.isEmpty()) {
            throw new InvalidInputException("bench needs at least one strategy, account count and caller count");
        }
        if (accounts.stream().anyMatch(a -> a < 1 || a > 1_000_000)) {
            throw new InvalidInputException("bench account counts must be between 1 and 1000000, got " + accounts);
        }
        if (callers.stream().anyMatch(c -> c < 1 || c > 256)) {
            throw new InvalidInputException("bench caller counts must be between 1 and 256, got " + callers);
        }
        if (duration.isNegative() || duration.isZero() || warmup.isNegative()) {
            throw new InvalidInputException("bench duration must be positive and warm-up not negative");
        }
        requireRounds("rounds", rounds);
        requireRounds("open-loop rounds", openLoopRounds);
        if (verfactRows < 0 || verfactRows > 10_000_000 || verfactWorkers < 1 || verfactWorkers > 256) {
            throw new InvalidInputException("verfact rows must be 0 to 10000000 and workers 1 to 256");
        }
    }

    private static void requireRounds(String what, int value) {
        if (value < 1 || value > 20) {
            throw new InvalidInputException("bench " + what + " must be between 1 and 20, got " + value);
        }
    }

    public int maxCallers() {
        return Math.max(callers.stream().max(Integer::compare).orElse(1), verfactWorkers);
    }

    /** Concurrent callers of the lease workloads: the largest caller count up to 16. */
    public int leaseCallers() {
        return callers.stream().filter(c -> c <= 16).max(Integer::compare).orElse(4);
    }

    /** Callers of the workloads the bench runs in its own JVM when deposits run in worker JVMs. */
    public int ownCallers() {
        return Math.max(leaseCallers(), verfactWorkers);
    }

    /** The measured time of one open-loop round: three times a sweep cell's, for enough samples at p99.9. */
    public Duration openLoopDuration() {
        return duration.multipliedBy(3);
    }

    /** The most deposits in flight at once in an open-loop cell: the largest caller count. */
    public int openLoopConcurrency() {
        return callers.stream().max(Integer::compare).orElse(1);
    }

    /** Cells of the contention sweep per strategy. */
    public int sweepCells() {
        return accounts.size() * callers.size();
    }
}
