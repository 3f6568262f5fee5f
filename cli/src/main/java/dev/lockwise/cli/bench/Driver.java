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

        CellResult result(String workload, String strategy, int rows, int callers, long conflicts, long retries,
                          long exhausted, long errors, String broken) {
            return new CellResult(workload, strategy, rows, callers, operations, seconds,
                    latencyMicros.getValueAtPercentile(50) / 1000.0, latencyMicros.getValueAtPercentile(95) / 1000.0,
                    latencyMicros.getValueAtPercentile(99) / 1000.0, conflicts, retries, exhausted, errors,
                    broken == null, broken == null ? "ok" : broken, OptionalDouble.empty(), List.of());
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

    private static Histogram newHistogram() {
        return new Histogram(TimeUnit.MINUTES.toMicros(10), 2);
    }
}
