package dev.lockwise.cli.bench;

import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** Drives an operation from real threads for a time (or a number of operations) and measures it. */
final class Driver {
    private Driver() {
    }

    @FunctionalInterface
    interface Op {
        /** @return true if the operation succeeded (counted and timed) */
        boolean run() throws Exception;
    }

    /** Acknowledged operations, the time they took, and the latency of each in microseconds. */
    record Measured(long operations, double seconds, Histogram latencyMicros) {
        double operationsPerSecond() {
            return seconds <= 0 ? 0 : operations / seconds;
        }

        /** @return the latency at {@code percentile} (0–100), in milliseconds */
        double millisAt(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }

        CellResult result(String workload, String strategy, int rows, int callers, long conflicts, long retries,
                          long exhausted, long errors, String broken) {
            return new CellResult(workload, strategy, rows, callers, 0, operations, seconds, millisAt(50),
                    millisAt(95), millisAt(99), millisAt(99.9), conflicts, retries, exhausted, errors,
                    broken == null, broken == null ? "ok" : broken, List.of(), List.of());
        }
    }

    /** {@code threads} callers run {@code op} until {@code duration} is up, or {@code opLimit} (> 0) were started. */
    static Measured drive(int threads, Duration duration, long opLimit, Op op) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        AtomicLong operations = new AtomicLong();
        AtomicLong claimed = new AtomicLong();
        List<Future<Histogram>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                Histogram histogram = newHistogram();
                start.await();
                long deadline = System.nanoTime() + duration.toNanos();
                while (System.nanoTime() - deadline < 0) {
                    if (opLimit > 0 && claimed.incrementAndGet() > opLimit) {
                        break;
                    }
                    long began = System.nanoTime();
                    if (op.run()) {
                        histogram.recordValue(Math.min(histogram.getHighestTrackableValue(),
                                Math.max(1, (System.nanoTime() - began) / 1000)));
                        operations.incrementAndGet();
                    }
                }
                return histogram;
            }));
        }
        long began = System.nanoTime();
        start.countDown();
        pool.shutdown();
        if (!pool.awaitTermination(duration.toSeconds() + 600, TimeUnit.SECONDS)) {
            pool.shutdownNow();
            throw new IllegalStateException("bench workers did not stop");
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        Histogram total = newHistogram();
        for (Future<Histogram> future : futures) {
            total.add(future.get());
        }
        return new Measured(operations.get(), seconds, total);
    }

    /**
     * Open loop: operations are offered at {@code rate} per second for {@code duration}, whether or not earlier ones
     * have finished, with at most {@code threads} in flight. Operation {@code i} is due at {@code start + i / rate};
     * its latency is measured from that intended start, not from when a thread became free to run it, so time spent
     * queued behind a slow system counts (no coordinated omission, HdrHistogram's term for the closed loop's
     * blind spot). Operations still not started a whole {@code duration} after the offered window closed are given
     * up and recorded with the latency they had reached by then (a lower bound); they count as not acknowledged, so
     * the achieved rate shows the shortfall.
     */
    static Measured driveAtRate(int threads, Duration duration, double rate, Op op) throws Exception {
        if (!(rate > 0)) {
            throw new IllegalArgumentException("rate must be positive, got " + rate);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        AtomicLong operations = new AtomicLong();
        AtomicLong next = new AtomicLong();
        long offered = (long) Math.floor(rate * duration.toNanos() / 1e9);
        double period = 1e9 / rate;
        long[] began = new long[1];
        List<Future<Histogram>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                Histogram histogram = newHistogram();
                start.await();
                long origin = began[0];
                long giveUpAt = origin + 2 * duration.toNanos();
                long i;
                while ((i = next.getAndIncrement()) < offered) {
                    long intended = origin + (long) (i * period);
                    long now;
                    while ((now = System.nanoTime()) - intended < 0) {
                        LockSupport.parkNanos(intended - now);
                    }
                    if (now - giveUpAt > 0) {
                        histogram.recordValue(micros(histogram, now - intended));
                        continue;
                    }
                    if (op.run()) {
                        histogram.recordValue(micros(histogram, System.nanoTime() - intended));
                        operations.incrementAndGet();
                    }
                }
                return histogram;
            }));
        }
        began[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        start.countDown();
        pool.shutdown();
        if (!pool.awaitTermination(duration.toSeconds() * 2 + 600, TimeUnit.SECONDS)) {
            pool.shutdownNow();
            throw new IllegalStateException("bench workers did not stop");
        }
        double seconds = Math.max(duration.toNanos(), System.nanoTime() - began[0]) / 1e9;
        Histogram total = newHistogram();
        for (Future<Histogram> future : futures) {
            total.add(future.get());
        }
        return new Measured(operations.get(), seconds, total);
    }

    private static long micros(Histogram histogram, long nanos) {
        return Math.min(histogram.getHighestTrackableValue(), Math.max(1, nanos / 1000));
    }

    private static Histogram newHistogram() {
        return new Histogram(TimeUnit.MINUTES.toMicros(10), 2);
    }
}
