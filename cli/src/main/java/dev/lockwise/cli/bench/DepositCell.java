package dev.lockwise.cli.bench;

import java.time.Duration;

/**
 * One run of deposits to measure: on {@code accounts} fresh accounts from {@code callers} threads, an unmeasured
 * {@code warmup}, then {@code duration} measured, or {@code opLimit} operations when that is positive.
 *
 * @param rate deposits offered per second in an open-loop run ({@link Driver#driveAtRate}), with {@code callers}
 *             as the most in flight at once; 0 for a closed loop, where each caller starts its next deposit when its
 *             last one ends
 */
public record DepositCell(int accounts, int callers, Duration warmup, Duration duration, long opLimit, double rate) {
    /** A closed-loop run. */
    public DepositCell(int accounts, int callers, Duration warmup, Duration duration, long opLimit) {
        this(accounts, callers, warmup, duration, opLimit, 0);
    }

    /** As a request line to a worker JVM. */
    String encode() {
        return accounts + " " + callers + " " + warmup.toMillis() + " " + duration.toMillis() + " " + opLimit + " "
                + rate;
    }

    static DepositCell decode(String line) {
        String[] fields = line.trim().split(" ");
        if (fields.length != 6) {
            throw new IllegalArgumentException("not a deposit cell: " + line);
        }
        return new DepositCell(Integer.parseInt(fields[0]), Integer.parseInt(fields[1]),
                Duration.ofMillis(Long.parseLong(fields[2])), Duration.ofMillis(Long.parseLong(fields[3])),
                Long.parseLong(fields[4]), Double.parseDouble(fields[5]));
    }
}
