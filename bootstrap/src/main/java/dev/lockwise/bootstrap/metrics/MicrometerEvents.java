package dev.lockwise.bootstrap.metrics;

import dev.lockwise.application.LockwiseEvents;
import dev.lockwise.application.Operation;
import dev.lockwise.application.Strategy;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LockId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * Binds the application's events port to Micrometer: counters for conflicts, retries, exhausted operations, lock
 * fallbacks and lease events; timers for operations and lease waits and renewals; distributions of attempts and of
 * changes per adaptive locked transaction; a gauge of the rows the adaptive strategy remembers as hot.
 * Meter names start with {@code lockwise.}; operations are tagged with {@code operation} and {@code strategy}.
 */
public final class MicrometerEvents implements LockwiseEvents {
    private final MeterRegistry registry;

    public MicrometerEvents(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    public MeterRegistry registry() {
        return registry;
    }

    private Counter counter(String name, Operation operation, Strategy strategy) {
        return Counter.builder(name).tag("operation", operation.label()).tag("strategy", strategy.label())
                .register(registry);
    }

    @Override
    public void conflict(Operation operation, Strategy strategy, int attempt) {
        counter("lockwise.conflicts", operation, strategy).increment();
    }

    @Override
    public void retry(Operation operation, Strategy strategy, int attempt, Duration wait) {
        counter("lockwise.retries", operation, strategy).increment();
    }

    @Override
    public void exhausted(Operation operation, Strategy strategy, int attempts) {
        counter("lockwise.exhausted", operation, strategy).increment();
    }

    @Override
    public void success(Operation operation, Strategy strategy, int attempts, Duration elapsed) {
        Timer.builder("lockwise.operations").tag("operation", operation.label()).tag("strategy", strategy.label())
                .register(registry).record(elapsed);
        DistributionSummary.builder("lockwise.attempts").tag("operation", operation.label())
                .tag("strategy", strategy.label()).register(registry).record(attempts);
    }

    @Override
    public void lockFallback(Operation operation, boolean hot) {
        Counter.builder("lockwise.adaptive.lock.fallbacks").tag("operation", operation.label())
                .tag("reason", hot ? "hot-row" : "conflict").register(registry).increment();
    }

    @Override
    public void lockedBatch(Operation operation, int changes) {
        DistributionSummary.builder("lockwise.adaptive.locked.batch").tag("operation", operation.label())
                .description("attempts combined into one row-locked transaction").register(registry)
                .record(changes);
    }

    @Override
    public void hotRowMemory(Operation operation, IntSupplier hotRowsNow) {
        Gauge.builder("lockwise.adaptive.hot.rows", hotRowsNow, IntSupplier::getAsInt)
                .tag("operation", operation.label()).description("rows the adaptive strategy remembers as hot")
                .register(registry);
    }

    @Override
    public void leaseAcquired(Lease lease, Duration waited) {
        Timer.builder("lockwise.lease.acquired").register(registry).record(waited);
    }

    @Override
    public void leaseUnavailable(LockId lockId) {
        registry.counter("lockwise.lease.unavailable").increment();
    }

    @Override
    public void leaseRenewed(Lease lease, Duration took) {
        Timer.builder("lockwise.lease.renewed").register(registry).record(took);
    }

    @Override
    public void leaseLost(Lease lease, String reason) {
        registry.counter("lockwise.lease.lost").increment();
    }

    @Override
    public void leaseReleased(Lease lease, Duration held) {
        Timer.builder("lockwise.lease.released").register(registry).record(held);
    }
}
