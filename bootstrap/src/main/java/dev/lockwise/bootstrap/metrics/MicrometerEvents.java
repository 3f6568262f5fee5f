package dev.lockwise.bootstrap.metrics;

import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LockId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Binds the application's events port to Micrometer: counters for conflicts, retries, exhausted operations, lock
 * fallbacks and lease events; timers for operations and lease waits and renewals; distributions of attempts and of
 * changes per adaptive locked transaction; a gauge of the rows the adaptive strategy remembers as hot.
 * Meter names start with {@code lockwise.}; operations are tagged with {@code operation} and {@code strategy}.
 *
 * <p>The meters of operations are looked up once and kept: registering builds and sorts a tagged id on every call,
 * and these events come with every deposit and every conflict.
 */
public final class MicrometerEvents implements LockwiseEvents {
    private record MeterKey(String name, Operation operation, Object detail) {
    }

    private final MeterRegistry registry;
    private final Map<MeterKey, Meter> meters = new ConcurrentHashMap<>();

    /**
     * Events recorded as meters of {@code registry}, each registered on first use.
     *
     * @param registry where the meters are registered; not null
     */
    public MicrometerEvents(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * The registry the meters are in.
     *
     * @return the registry given at construction
     */
    public MeterRegistry registry() {
        return registry;
    }

    /** The meter for {@code name}, {@code operation} and {@code detail} (a strategy or a reason), registered once. */
    @SuppressWarnings("unchecked")
    private <M extends Meter> M meter(String name, Operation operation, Object detail, Supplier<M> register) {
        return (M) meters.computeIfAbsent(new MeterKey(name, operation, detail), key -> register.get());
    }

    private Counter counter(String name, Operation operation, Strategy strategy) {
        return meter(name, operation, strategy, () -> Counter.builder(name).tag("operation", operation.label())
                .tag("strategy", strategy.label()).register(registry));
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
        this.<Timer>meter("lockwise.operations", operation, strategy, () -> Timer.builder("lockwise.operations")
                .tag("operation", operation.label()).tag("strategy", strategy.label()).register(registry))
                .record(elapsed);
        this.<DistributionSummary>meter("lockwise.attempts", operation, strategy, () -> DistributionSummary
                .builder("lockwise.attempts").tag("operation", operation.label()).tag("strategy", strategy.label())
                .register(registry)).record(attempts);
    }

    @Override
    public void lockFallback(Operation operation, boolean hot) {
        String reason = hot ? "hot-row" : "conflict";
        this.<Counter>meter("lockwise.adaptive.lock.fallbacks", operation, reason, () -> Counter
                .builder("lockwise.adaptive.lock.fallbacks").tag("operation", operation.label()).tag("reason", reason)
                .register(registry)).increment();
    }

    @Override
    public void lockedBatch(Operation operation, int changes) {
        this.<DistributionSummary>meter("lockwise.adaptive.locked.batch", operation, "", () -> DistributionSummary
                .builder("lockwise.adaptive.locked.batch").tag("operation", operation.label())
                .description("attempts combined into one row-locked transaction").register(registry))
                .record(changes);
    }

    @Override
    public void rowBatch(Operation operation, int rows, int attempts) {
        this.<DistributionSummary>meter("lockwise.batched.batch", operation, "", () -> DistributionSummary
                .builder("lockwise.batched.batch").tag("operation", operation.label())
                .description("attempts carried by one multi-row read and write").register(registry))
                .record(attempts);
    }

    @Override
    public void hotRowMemory(Operation operation, IntSupplier hotRowsNow) {
        // Strongly referenced: the supplier is usually a method reference that nothing else holds, and Micrometer's
        // default weak reference would let the gauge read NaN after the next garbage collection.
        Gauge.builder("lockwise.adaptive.hot.rows", hotRowsNow, IntSupplier::getAsInt)
                .tag("operation", operation.label()).description("rows the adaptive strategy remembers as hot")
                .strongReference(true)
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
