package dev.lockwise.domain.lease;

/** Work that runs while a lease is held. It receives the lease, whose generation is its fencing token. */
@FunctionalInterface
public interface LeasedTask<T, E extends Exception> {
    /**
     * Runs the work.
     *
     * @param lease the lease held while it runs
     * @return the work's result
     * @throws E the work's own failure
     */
    T run(Lease lease) throws E;
}
