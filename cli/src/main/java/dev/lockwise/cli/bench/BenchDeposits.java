package dev.lockwise.cli.bench;

/**
 * A way of depositing that the bench can drive: a Lockwise strategy, the atomic-statement baseline, or (in tests)
 * a deliberately broken one. {@link #deposit} returns normally only when the deposit is acknowledged (committed).
 */
public interface BenchDeposits {
    String name();

    void deposit(long accountId, long cents);

    /** Cumulative counters, read before and after a cell. */
    default long conflicts() {
        return 0;
    }

    default long retries() {
        return 0;
    }

    default long exhausted() {
        return 0;
    }
}
