package dev.lockwise.application.retry;

import dev.lockwise.domain.InvalidInputException;

import java.time.Duration;
import java.util.Objects;

/**
 * How conflicting attempts are retried: at most {@code maxAttempts} attempts in all, waiting between them an
 * exponentially growing interval (from {@code initialBackoff}, times {@code multiplier}, capped at {@code maxBackoff}),
 * each randomised by ±{@code jitter} (0–1) so that the losers of one race do not collide again in lockstep.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff,
                          double jitter) {
    /**
     * Chosen so that 16 writers hammering one row with the optimistic strategy finish with no exhausted retry:
     * the waits reach the cap after ~10 attempts, and 60 attempts give seconds of patience before giving up.
     */
    public static final RetryPolicy DEFAULT = new RetryPolicy(60, Duration.ofMillis(2), 1.6, Duration.ofMillis(200), 0.5);

    /**
     * @param maxAttempts    attempts in all, 1 to 1000
     * @param initialBackoff the wait after the first conflict, 1 ms to 1 minute
     * @param multiplier     how much each wait grows, 1 to 10
     * @param maxBackoff     the longest wait, from the initial backoff to 5 minutes
     * @param jitter         the random spread of each wait, as a fraction: at least 0, below 1
     * @throws InvalidInputException if any is out of range
     */
    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw new InvalidInputException("retry attempts must be between 1 and 1000, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero() || initialBackoff.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new InvalidInputException("retry backoff must be between 1 ms and 1 minute, got "
                    + initialBackoff.toMillis() + " ms");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0 || maxBackoff.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new InvalidInputException("retry max backoff must be between the initial backoff and 5 minutes, got "
                    + maxBackoff.toMillis() + " ms");
        }
        if (!(multiplier >= 1.0 && multiplier <= 10.0)) {
            throw new InvalidInputException("retry multiplier must be between 1 and 10, got " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter < 1.0)) {
            throw new InvalidInputException("retry jitter must be at least 0 and below 1, got " + jitter);
        }
    }

    /**
     * @param attempts attempts in all, 1 to 1000
     * @return this policy with that many attempts
     */
    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(attempts, initialBackoff, multiplier, maxBackoff, jitter);
    }

    /**
     * @param initial the wait after the first conflict
     * @param max     the longest wait
     * @return this policy with those waits
     */
    public RetryPolicy withBackoff(Duration initial, Duration max) {
        return new RetryPolicy(maxAttempts, initial, multiplier, max, jitter);
    }
}
