package dev.lockwise.application.events;

import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LockId;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Counts events in memory, keyed like {@code deposit.optimistic.conflict} or {@code lease.renewed}. Thread-safe.
 * Good for tests, the demo's summary and hosts without a metrics library.
 */
public final class CountingEvents implements LockwiseEvents {
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<Operation, IntSupplier> hotRowMemories = new ConcurrentHashMap<>();

    /**
     * @param key a counter's key, such as {@code deposit.optimistic.conflict}
     * @return its count; 0 if it never counted
     */
    public long count(String key) {
        LongAdder adder = counters.get(key);
        return adder == null ? 0 : adder.sum();
    }

    /**
     * @param operation the use case
     * @param strategy  the strategy
     * @param event     the event: conflict, retry, exhausted, success or attempts
     * @return the count of {@code operation.strategy.event}
     */
    public long count(Operation operation, Strategy strategy, String event) {
        return count(key(operation, strategy, event));
    }

    /** @return a sorted copy of every counter */
    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counters.forEach((key, adder) -> copy.put(key, adder.sum()));
        return copy;
    }

    /** Forgets every count. */
    public void reset() {
        counters.clear();
    }

    private void add(String key, long amount) {
        counters.computeIfAbsent(key, k -> new LongAdder()).add(amount);
    }

    private static String key(Operation operation, Strategy strategy, String event) {
        return operation.label() + "." + strategy.label() + "." + event;
    }

    @Override
    public void conflict(Operation operation, Strategy strategy, int attempt) {
        add(key(operation, strategy, "conflict"), 1);
    }

    @Override
    public void retry(Operation operation, Strategy strategy, int attempt, Duration wait) {
        add(key(operation, strategy, "retry"), 1);
    }

    @Override
    public void exhausted(Operation operation, Strategy strategy, int attempts) {
        add(key(operation, strategy, "exhausted"), 1);
    }

    @Override
    public void success(Operation operation, Strategy strategy, int attempts, Duration elapsed) {
        add(key(operation, strategy, "success"), 1);
        add(key(operation, strategy, "attempts"), attempts);
    }

    @Override
    public void lockFallback(Operation operation, boolean hot) {
        add(operation.label() + ".adaptive." + (hot ? "locked-hot" : "locked-after-conflict"), 1);
    }

    @Override
    public void lockedBatch(Operation operation, int changes) {
        add(operation.label() + ".adaptive.locked-transactions", 1);
        add(operation.label() + ".adaptive.locked-changes", changes);
    }

    @Override
    public void rowBatch(Operation operation, int rows, int attempts) {
        add(operation.label() + ".batched.batches", 1);
        add(operation.label() + ".batched.rows", rows);
        add(operation.label() + ".batched.attempts", attempts);
    }

    /**
     * @param operation the use case
     * @return how many rows the adaptive strategy remembers as hot for it right now (0 if none)
     */
    public int hotRows(Operation operation) {
        IntSupplier memory = hotRowMemories.get(operation);
        return memory == null ? 0 : memory.getAsInt();
    }

    @Override
    public void hotRowMemory(Operation operation, IntSupplier hotRowsNow) {
        hotRowMemories.put(operation, hotRowsNow);
    }

    @Override
    public void leaseAcquired(Lease lease, Duration waited) {
        add("lease.acquired", 1);
    }

    @Override
    public void leaseUnavailable(LockId lockId) {
        add("lease.unavailable", 1);
    }

    @Override
    public void leaseRenewed(Lease lease, Duration took) {
        add("lease.renewed", 1);
    }

    @Override
    public void leaseLost(Lease lease, String reason) {
        add("lease.lost", 1);
    }

    @Override
    public void leaseReleased(Lease lease, Duration held) {
        add("lease.released", 1);
    }
}
