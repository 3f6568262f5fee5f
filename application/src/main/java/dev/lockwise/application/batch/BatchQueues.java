package dev.lockwise.application.batch;

import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.WaitInterruptedException;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Where callers of one process meet to share a round trip: each caller joins the queue of a key; a caller that finds
 * fewer than {@code maxInFlight} batches running on that key becomes a head, takes every combinable caller queued
 * behind it (at most {@code maxBatch} in all) and runs them as one batch, on its own thread. The others wait for the
 * batch that carries them, or for their turn as a head. Used by the adaptive strategy's locked path (a key per row,
 * one batch in flight) and by the batched strategy (one key for all rows, a few batches in flight).
 *
 * <p>Rules:
 * <ul>
 *   <li>One queue per key that has callers, made when the first arrives and dropped when the last leaves: memory
 *       grows with the keys in use at this moment, not with all keys seen.</li>
 *   <li>The head waits for nobody: it takes what is queued when it starts (no timer, so a lone caller runs at once).
 *       When its batch is done it hands the turn to the oldest waiter and returns, so no caller serves others for
 *       longer than its own batch.</li>
 *   <li>A caller not yet taken into a batch waits at most the queue timeout and leaves with
 *       {@link LockWaitTimeoutException}; interrupted, it leaves at once with {@link WaitInterruptedException} and its
 *       interrupt status set. Either way nothing was done for it. Once taken into a batch (as the head or as a
 *       member), it waits for the outcome whatever happens, as its change may already be committed, and keeps any
 *       interrupt for afterwards.</li>
 *   <li>Every member ends with an outcome: if the batch throws, every member gets that failure; a member the batch
 *       left without one gets an {@link IllegalStateException}.</li>
 * </ul>
 *
 * @param <K> what callers are grouped by (equal keys, one queue)
 */
public final class BatchQueues<K> {
    /** Runs one batch on the head's thread; {@code batch.get(0)} is the head. Settles each member it can. */
    @FunctionalInterface
    public interface Runner<M extends Member> {
        /**
         * @param batch the head first, then the members it took, oldest first
         */
        void run(List<M> batch);
    }

    private final ConcurrentMap<K, KeyQueue> queues = new ConcurrentHashMap<>();
    private final long queueTimeoutNanos;
    private final int maxInFlight;
    private final int maxBatch;
    private final String waitingFor;

    /**
     * @param queueTimeout how long a caller waits for its turn before it gives up (positive)
     * @param maxInFlight  how many batches of one key may run at once (at least 1)
     * @param maxBatch     the most callers one batch carries (at least 1)
     * @param waitingFor   what a caller waits for, for messages ("a turn at the row lock of")
     */
    public BatchQueues(Duration queueTimeout, int maxInFlight, int maxBatch, String waitingFor) {
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        if (queueTimeout.isNegative() || queueTimeout.isZero()) {
            throw new IllegalArgumentException("queue timeout must be positive, got " + queueTimeout);
        }
        if (maxInFlight < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("maxInFlight and maxBatch must be at least 1, got " + maxInFlight
                    + " and " + maxBatch);
        }
        this.queueTimeoutNanos = queueTimeout.toNanos();
        this.maxInFlight = maxInFlight;
        this.maxBatch = maxBatch;
        this.waitingFor = Objects.requireNonNull(waitingFor, "waitingFor");
    }

    /**
     * Queues {@code self} on {@code key} and returns once it has an outcome: run by a batch that {@code self} led (with
     * {@code runner}) or that another head ran (with that head's runner: callers of one key must agree on it).
     *
     * @param key    the queue to join
     * @param self   this caller, made on this thread
     * @param runner runs a batch if this caller becomes a head
     * @param <M>    the callers' type on this key
     * @return the outcome {@code self} was settled with
     * @throws LockWaitTimeoutException if no batch took this caller within the queue timeout
     * @throws WaitInterruptedException if the caller was interrupted before a batch took it
     */
    public <M extends Member> Object join(K key, M self, Runner<M> runner) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(runner, "runner");
        if (self.thread != Thread.currentThread()) {
            throw new IllegalArgumentException("a member joins on the thread that made it");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(key);
        }
        long deadline = System.nanoTime() + queueTimeoutNanos;
        KeyQueue queue;
        boolean head;
        while (true) {
            queue = queues.computeIfAbsent(key, unused -> new KeyQueue());
            synchronized (queue) {
                if (queue.retired) {
                    continue; // emptied and dropped after we found it: take the key's current queue
                }
                head = queue.running < maxInFlight;
                if (head) {
                    queue.running++;
                } else {
                    queue.waiting.addLast(self);
                }
                break;
            }
        }
        if (!head && !awaitTurn(key, self, queue, deadline)) {
            return self.outcome();
        }
        List<M> batch = new ArrayList<>();
        batch.add(self);
        if (self.combinable()) {
            synchronized (queue) {
                for (Iterator<Member> it = queue.waiting.iterator(); it.hasNext() && batch.size() < maxBatch; ) {
                    Member other = it.next();
                    if (other.combinable()) {
                        it.remove();
                        @SuppressWarnings("unchecked")
                        M same = (M) other;
                        batch.add(same);
                    }
                }
            }
        }
        try {
            execute(batch, runner);
        } finally {
            Member next;
            synchronized (queue) {
                next = queue.waiting.pollFirst();
                if (next == null && --queue.running == 0) {
                    queue.retired = true;
                    queues.remove(key, queue);
                }
            }
            if (next != null) {
                next.signal(Member.HEAD);
            }
            for (int i = 1; i < batch.size(); i++) {
                batch.get(i).signal(Member.DONE);
            }
        }
        return self.outcome();
    }

    /**
     * The change written for one row on behalf of several members: each member's change applied to the row as the
     * previous one left it, each member settled with the row as its own change found and left it (or with its
     * change's failure, which skips it). Pure as the repositories require: each application starts afresh and
     * settles the members anew.
     *
     * @param members  the members whose changes are combined, in the order they are applied
     * @param changeOf a member's own change
     * @param row      the row as read
     * @param <M>      the members' type
     * @param <T>      the row type
     * @return the row as the last change left it
     */
    public static <M extends Member, T> T applyInTurn(List<M> members, Function<M, UnaryOperator<T>> changeOf, T row) {
        T current = row;
        for (M member : members) {
            try {
                T next = changeOf.apply(member).apply(current);
                member.settle(new Updated<>(current, next), null);
                current = next;
            } catch (RuntimeException failure) {
                member.settle(null, failure);
            }
        }
        return current;
    }

    private static <M extends Member> void execute(List<M> batch, Runner<M> runner) {
        try {
            runner.run(batch);
        } catch (RuntimeException | Error failure) {
            for (Member member : batch) {
                member.settle(null, failure);
            }
        } finally {
            for (Member member : batch) {
                if (!member.settled) {
                    member.settle(null, new IllegalStateException("the batch ended without an outcome for this"
                            + " caller"));
                }
            }
        }
    }

    /**
     * Waits until {@code self} is made a head (true) or has been carried by another head's batch (false). Until it is
     * taken from the queue it may leave: when the deadline passes or when interrupted.
     */
    private boolean awaitTurn(K key, Member self, KeyQueue queue, long deadline) {
        boolean interrupted = false;
        int seen;
        while ((seen = self.state) == Member.WAITING) {
            long left = deadline - System.nanoTime();
            boolean timedOut = left <= 0;
            if (!interrupted && !timedOut) {
                LockSupport.parkNanos(this, left);
                interrupted = Thread.interrupted();
                continue;
            }
            synchronized (queue) {
                if (queue.waiting.remove(self)) { // not taken by anyone: leaving changes nothing
                    if (interrupted) {
                        throw interrupted(key);
                    }
                    throw new LockWaitTimeoutException("waited " + Duration.ofNanos(queueTimeoutNanos).toMillis()
                            + " ms (the lock timeout) in this process for " + waitingFor + " " + key
                            + " without getting one", null);
                }
            }
            // Taken: our change may be in a batch now. Wait for the outcome, uninterruptibly.
            while ((seen = self.state) == Member.WAITING) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return seen == Member.HEAD;
    }

    private WaitInterruptedException interrupted(K key) {
        Thread.currentThread().interrupt();
        return new WaitInterruptedException("interrupted while waiting in this process for " + waitingFor + " " + key
                + "; nothing was written");
    }

    /**
     * Callers waiting for their turn, over all keys (a diagnostic; tests use it to know a queue is formed).
     *
     * @return how many callers wait
     */
    public int waiting() {
        int count = 0;
        for (KeyQueue queue : queues.values()) {
            synchronized (queue) {
                count += queue.waiting.size();
            }
        }
        return count;
    }

    /**
     * Keys with a queue at this moment (a diagnostic; tests use it to see queues dropped when idle).
     *
     * @return how many keys have a queue
     */
    public int keysQueued() {
        return queues.size();
    }

    private static final class KeyQueue {
        /** Guarded by this queue's monitor: how many heads are running a batch. */
        int running;
        /** Guarded by this queue's monitor: dropped from the map; an arrival that still finds it looks again. */
        boolean retired;
        /** Guarded by this queue's monitor: callers waiting for their turn, oldest first. */
        final ArrayDeque<Member> waiting = new ArrayDeque<>();
    }

    /**
     * One caller in a queue, made on the caller's thread. A batch settles it ({@link #settle}) before the head signals
     * it; the signal's volatile write publishes the outcome.
     */
    public abstract static class Member {
        static final int WAITING = 0;
        static final int HEAD = 1;
        static final int DONE = 2;

        final Thread thread = Thread.currentThread();
        volatile int state = WAITING;
        private Object result;
        private Throwable failure;
        boolean settled;

        /** @return whether a head may carry this caller in its batch; one that may not runs alone, as a head */
        protected abstract boolean combinable();

        /**
         * Records this caller's outcome; a later call replaces an earlier one (a batch that fails after settling
         * members overrides their outcome with its failure).
         *
         * @param newResult  what the caller returns, if {@code newFailure} is null
         * @param newFailure what the caller throws, or null
         */
        public final void settle(Object newResult, Throwable newFailure) {
            result = newResult;
            failure = newFailure;
            settled = true;
        }

        /** @return whether {@link #settle} was called */
        public final boolean settled() {
            return settled;
        }

        void signal(int newState) {
            state = newState;
            LockSupport.unpark(thread);
        }

        Object outcome() {
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            return result;
        }
    }
}
