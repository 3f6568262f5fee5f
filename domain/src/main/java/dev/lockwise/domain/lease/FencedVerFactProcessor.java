package dev.lockwise.domain.lease;

/**
 * A job that marks pending verfacts processed, but only while a lease is held: the database itself refuses the
 * write once the lease has expired or a newer generation holds it, so a paused or partitioned holder cannot
 * overwrite the work of its successor.
 */
public interface FencedVerFactProcessor {

    /**
     * Marks up to {@code limit} unprocessed facts processed, in one statement guarded by the lease.
     *
     * @param lease the lease held; its generation fences the write
     * @param limit the most facts to mark, positive
     * @return how many facts this call processed
     * @throws LeaseLostException if the database refused the write because the lease is no longer held
     */
    int processPending(Lease lease, int limit);
}
