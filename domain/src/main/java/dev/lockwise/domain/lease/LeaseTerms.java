package dev.lockwise.domain.lease;

import dev.lockwise.domain.DurationText;
import dev.lockwise.domain.InvalidInputException;

import java.time.Duration;
import java.util.Objects;

/**
 * How a lease is held.
 *
 * <ul>
 *   <li>{@code ttl}: how long the database keeps the lease after an acquisition or renewal, by its own clock;</li>
 *   <li>{@code renewEvery}: how often it is renewed while the task runs;</li>
 *   <li>{@code waitUpTo}: how long to wait for it when another holder has it ({@code ZERO} = try once, fail fast);</li>
 *   <li>{@code margin}: how much earlier than the database the holder gives the lease up. The holder counts its
 *       validity from the moment it <em>sent</em> the last successful acquisition or renewal, on its own monotonic
 *       clock: {@code sent + ttl − margin}. The margin absorbs the difference in clock rate between this machine and
 *       the database server and the time the task needs to stop once told to.</li>
 *   <li>{@code holdAtLeast}: how long after its acquisition, by the database clock, the lease is kept even if the task
 *       ends sooner (ShedLock's {@code lockAtLeastFor}): the release then leaves it to expire at {@code acquired +
 *       holdAtLeast} instead of ending it. {@code ZERO} (the default) releases at once. At most the ttl, so that the
 *       release never has to extend the lease.</li>
 * </ul>
 *
 * <p>They are validated together: a renewal must be due before the holder's validity ends
 * ({@code renewEvery + margin < ttl}).
 */
public record LeaseTerms(Duration ttl, Duration renewEvery, Duration waitUpTo, Duration margin,
                         Duration holdAtLeast) {
    /** The shortest ttl accepted. */
    public static final Duration MIN_TTL = Duration.ofMillis(100);
    /** The longest ttl accepted. */
    public static final Duration MAX_TTL = Duration.ofDays(1);
    /** The longest wait for a held lock accepted. */
    public static final Duration MAX_WAIT = Duration.ofDays(1);
    /** The smallest default margin: enough for a thread to be scheduled and told to stop on a loaded machine. */
    public static final Duration MIN_DEFAULT_MARGIN = Duration.ofMillis(20);
    /** The smallest margin accepted: below this, timer slack alone eats it. */
    public static final Duration MIN_MARGIN = Duration.ofMillis(10);

    /**
     * Checks the terms together (see the class comment).
     *
     * @param ttl         how long the database keeps the lease after an acquisition or renewal: 100 ms to 1 day
     * @param renewEvery  how often the lease is renewed while the task runs: positive, shorter than the ttl
     * @param waitUpTo    how long to wait for a held lock: zero (try once) to 1 day
     * @param margin      how much earlier than the database the holder gives the lease up: at least 10 ms, and
     *                    {@code renewEvery + margin < ttl}
     * @param holdAtLeast how long after acquisition the lease is kept if the task ends sooner: zero to the ttl
     * @throws InvalidInputException if they cannot keep a holder safe
     */
    public LeaseTerms {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(renewEvery, "renewEvery");
        Objects.requireNonNull(waitUpTo, "waitUpTo");
        Objects.requireNonNull(margin, "margin");
        Objects.requireNonNull(holdAtLeast, "holdAtLeast");
        if (ttl.compareTo(MIN_TTL) < 0) {
            throw new InvalidInputException("lease ttl must be at least " + show(MIN_TTL) + ", got " + show(ttl));
        }
        if (ttl.compareTo(MAX_TTL) > 0) {
            throw new InvalidInputException("lease ttl must be at most " + show(MAX_TTL) + ", got " + show(ttl));
        }
        if (renewEvery.isNegative() || renewEvery.isZero()) {
            throw new InvalidInputException("renew interval must be positive, got " + show(renewEvery));
        }
        if (renewEvery.compareTo(ttl) >= 0) {
            throw new InvalidInputException("renew interval (" + show(renewEvery) + ") must be shorter than the ttl ("
                    + show(ttl) + ")");
        }
        if (waitUpTo.isNegative() || waitUpTo.compareTo(MAX_WAIT) > 0) {
            throw new InvalidInputException("wait must be between 0 and " + show(MAX_WAIT) + ", got "
                    + show(waitUpTo));
        }
        if (margin.compareTo(MIN_MARGIN) < 0) {
            throw new InvalidInputException("lease safety margin must be at least " + show(MIN_MARGIN) + ", got "
                    + show(margin));
        }
        if (renewEvery.plus(margin).compareTo(ttl) >= 0) {
            throw new InvalidInputException("renew interval (" + show(renewEvery) + ") plus safety margin ("
                    + show(margin) + ") must be shorter than the ttl (" + show(ttl) + "), so that a renewal is due"
                    + " before the holder's validity ends");
        }
        if (holdAtLeast.isNegative() || holdAtLeast.compareTo(ttl) > 0) {
            throw new InvalidInputException("hold-at-least must be between 0 and the ttl (" + show(ttl) + "), got "
                    + show(holdAtLeast) + "; raise the ttl to hold the lease longer");
        }
    }

    /**
     * Terms that release the lease as soon as the task ends (no hold).
     *
     * @param ttl        how long the database keeps the lease after an acquisition or renewal
     * @param renewEvery how often the lease is renewed while the task runs
     * @param waitUpTo   how long to wait for a held lock; zero to try once
     * @param margin     how much earlier than the database the holder gives the lease up
     */
    public LeaseTerms(Duration ttl, Duration renewEvery, Duration waitUpTo, Duration margin) {
        this(ttl, renewEvery, waitUpTo, margin, Duration.ZERO);
    }

    /**
     * Terms with the {@linkplain #defaultMargin(Duration) default margin} and no hold.
     *
     * @param ttl        how long the database keeps the lease after an acquisition or renewal
     * @param renewEvery how often the lease is renewed while the task runs
     * @param waitUpTo   how long to wait for a held lock; zero to try once
     */
    public LeaseTerms(Duration ttl, Duration renewEvery, Duration waitUpTo) {
        this(ttl, renewEvery, waitUpTo, defaultMargin(Objects.requireNonNull(ttl, "ttl")));
    }

    /**
     * Try once, renewing every third of the ttl, with the default margin.
     *
     * @param ttl how long the database keeps the lease after an acquisition or renewal
     * @return terms that never wait for a held lock
     */
    public static LeaseTerms tryOnce(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        return new LeaseTerms(ttl, ttl.dividedBy(3), Duration.ZERO);
    }

    /**
     * A tenth of the ttl, at least {@link #MIN_DEFAULT_MARGIN}: far above any clock-rate difference NTP allows
     * (it slews by at most 500 ppm, a two-thousandth of the ttl), and for ttls of a second or more a hundred
     * milliseconds or more for the task to stop after the holder's deadline fires.
     *
     * @param ttl the lease's ttl
     * @return the margin used when none is given
     */
    public static Duration defaultMargin(Duration ttl) {
        Duration tenth = ttl.dividedBy(10);
        return tenth.compareTo(MIN_DEFAULT_MARGIN) < 0 ? MIN_DEFAULT_MARGIN : tenth;
    }

    /**
     * @param interval how often to renew
     * @return these terms, renewed every {@code interval}
     */
    public LeaseTerms renewingEvery(Duration interval) {
        return new LeaseTerms(ttl, interval, waitUpTo, margin, holdAtLeast);
    }

    /**
     * @param wait how long to wait for a held lock
     * @return these terms, waiting up to {@code wait}
     */
    public LeaseTerms waitingUpTo(Duration wait) {
        return new LeaseTerms(ttl, renewEvery, wait, margin, holdAtLeast);
    }

    /**
     * @param value the safety margin before expiry
     * @return these terms with that margin
     */
    public LeaseTerms withMargin(Duration value) {
        return new LeaseTerms(ttl, renewEvery, waitUpTo, value, holdAtLeast);
    }

    /**
     * @param hold how long after its acquisition the lease is kept even if the task ends sooner; zero for none
     * @return these terms with that hold
     * @throws InvalidInputException if the hold is negative or longer than the ttl
     */
    public LeaseTerms holdingAtLeast(Duration hold) {
        return new LeaseTerms(ttl, renewEvery, waitUpTo, margin, hold);
    }

    /** @return whether an acquisition waits for a held lock rather than failing at once */
    public boolean waits() {
        return !waitUpTo.isZero();
    }

    /** @return how long after an acquisition or renewal is sent the holder may rely on the lease: {@code ttl − margin} */
    public Duration validity() {
        return ttl.minus(margin);
    }

    private static String show(Duration duration) {
        return DurationText.show(duration);
    }
}
