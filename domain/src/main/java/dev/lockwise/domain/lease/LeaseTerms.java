package dev.lockwise.domain.lease;

import dev.lockwise.domain.InvalidInputException;

import java.time.Duration;
import java.util.Objects;

/**
 * How a lease is held: its time to live, how often it is renewed while the task runs (strictly less than the ttl,
 * so that a renewal lands before expiry), and how long to wait for it when another holder has it ({@code ZERO} =
 * try once and fail fast).
 */
public record LeaseTerms(Duration ttl, Duration renewEvery, Duration waitUpTo) {
    public static final Duration MIN_TTL = Duration.ofMillis(100);
    public static final Duration MAX_TTL = Duration.ofDays(1);
    public static final Duration MAX_WAIT = Duration.ofDays(1);

    public LeaseTerms {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(renewEvery, "renewEvery");
        Objects.requireNonNull(waitUpTo, "waitUpTo");
        if (ttl.compareTo(MIN_TTL) < 0) {
            throw new InvalidInputException("lease ttl must be at least " + MIN_TTL.toMillis() + " ms, got " + show(ttl));
        }
        if (ttl.compareTo(MAX_TTL) > 0) {
            throw new InvalidInputException("lease ttl must be at most " + MAX_TTL.toHours() + " hours, got " + show(ttl));
        }
        if (renewEvery.isNegative() || renewEvery.isZero()) {
            throw new InvalidInputException("renew interval must be positive, got " + show(renewEvery));
        }
        if (renewEvery.compareTo(ttl) >= 0) {
            throw new InvalidInputException("renew interval (" + show(renewEvery) + ") must be shorter than the ttl ("
                    + show(ttl) + ")");
        }
        if (waitUpTo.isNegative() || waitUpTo.compareTo(MAX_WAIT) > 0) {
            throw new InvalidInputException("wait must be between 0 and " + MAX_WAIT.toHours() + " hours, got "
                    + show(waitUpTo));
        }
    }

    /** Try once, renewing every third of the ttl. */
    public static LeaseTerms tryOnce(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        return new LeaseTerms(ttl, ttl.dividedBy(3), Duration.ZERO);
    }

    public LeaseTerms renewingEvery(Duration interval) {
        return new LeaseTerms(ttl, interval, waitUpTo);
    }

    public LeaseTerms waitingUpTo(Duration wait) {
        return new LeaseTerms(ttl, renewEvery, wait);
    }

    public boolean waits() {
        return !waitUpTo.isZero();
    }

    private static String show(Duration duration) {
        return duration.toMillis() + " ms";
    }
}
