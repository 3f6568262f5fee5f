package dev.lockwise.domain.lease;

/** Work that runs while a lease is held. It receives the lease, whose generation is its fencing token. */
@FunctionalInterface
public interface LeasedTask<T, E extends Exception> {
    T run(Lease lease) throws E;
}
