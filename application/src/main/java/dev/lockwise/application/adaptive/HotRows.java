package dev.lockwise.application.adaptive;

import dev.lockwise.domain.InvalidInputException;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A fixed-size memory of rows that conflicted recently. Direct-mapped: a row's key picks one slot, and a newer hot
 * row may evict an older one that shares its slot. The memory never grows with the number of rows, needs no lock
 * (each slot is replaced atomically with an immutable entry) and may forget: forgetting only costs one optimistic
 * attempt, because both paths are safe.
 */
public final class HotRows {
    /** The rows remembered by default: a power of two. */
    public static final int DEFAULT_CAPACITY = 4096;
    /** How long a row stays hot by default after its last sign of contention. */
    public static final Duration DEFAULT_COOLDOWN = Duration.ofMillis(20);

    private record Entry(long key, long hotUntilNanos) {
    }

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;
    private final long cooldownNanos;

    /**
     * @param capacity slots in the memory: a power of two, 1 to 2^24
     * @param cooldown how long a row stays hot after it was last marked: 1 ms to 1 hour
     * @throws InvalidInputException if either is out of range
     */
    public HotRows(int capacity, Duration cooldown) {
        requireValid(capacity, cooldown);
        this.slots = new AtomicReferenceArray<>(capacity);
        this.mask = capacity - 1;
        this.cooldownNanos = cooldown.toNanos();
    }

    /**
     * Checks a capacity and cooldown as the constructor does, without building the memory.
     *
     * @param capacity slots in the memory
     * @param cooldown how long a row stays hot
     * @throws InvalidInputException if either is out of range
     */
    public static void requireValid(int capacity, Duration cooldown) {
        if (capacity < 1 || capacity > (1 << 24) || Integer.bitCount(capacity) != 1) {
            throw new InvalidInputException("hot-row capacity must be a power of two between 1 and 16777216, got "
                    + capacity);
        }
        if (cooldown == null || cooldown.isNegative() || cooldown.isZero() || cooldown.compareTo(Duration.ofHours(1)) > 0) {
            throw new InvalidInputException("hot-row cooldown must be between 1 ms and 1 hour, got " + cooldown);
        }
    }

    /**
     * Remembers {@code key} as hot for the cooldown, from now.
     *
     * @param key the row's key
     */
    public void markHot(long key) {
        slots.set(slot(key), new Entry(key, System.nanoTime() + cooldownNanos));
    }

    /**
     * @param key the row's key
     * @return whether the row was marked hot less than a cooldown ago (and not evicted since)
     */
    public boolean isHot(long key) {
        Entry entry = slots.get(slot(key));
        return entry != null && entry.key == key && entry.hotUntilNanos - System.nanoTime() > 0;
    }

    /** @return how many rows are hot right now (a scan of the fixed-size table; for metrics) */
    public int hotCount() {
        long now = System.nanoTime();
        int count = 0;
        for (int i = 0; i < slots.length(); i++) {
            Entry entry = slots.get(i);
            if (entry != null && entry.hotUntilNanos - now > 0) {
                count++;
            }
        }
        return count;
    }

    /** @return the number of slots */
    public int capacity() {
        return slots.length();
    }

    private int slot(long key) {
        long mixed = key * 0x9E3779B97F4A7C15L;
        return (int) (mixed ^ (mixed >>> 32)) & mask;
    }
}
