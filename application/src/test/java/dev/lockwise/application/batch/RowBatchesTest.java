package dev.lockwise.application.batch;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.RowOutcome;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.WaitInterruptedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cross-row batcher, on an in-memory table whose multi-row attempt can be held (to build a queue), can report a
 * row as conflicted (as the adapter does when another process changed its version) or can fail as a whole (as a lost
 * connection does). The SQL side is covered by the contract and fault tests, which run batched against PostgreSQL.
 */
class RowBatchesTest {
    private final List<int[]> batches = new CopyOnWriteArrayList<>();
    private final RowBatches<String, Long> rows = new RowBatches<>("test rows", Duration.ofSeconds(30), 1,
            (rowCount, attempts) -> batches.add(new int[] {rowCount, attempts}));
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final Table table = new Table();

    /** Rows of counters; one multi-row attempt at a time writes what its changes return, like one transaction. */
    private static final class Table {
        final Map<String, Long> values = new ConcurrentHashMap<>();
        final Set<String> conflicted = ConcurrentHashMap.newKeySet();
        final List<Set<String>> attempts = new CopyOnWriteArrayList<>();
        volatile CountDownLatch hold = new CountDownLatch(0);
        final CountDownLatch entered = new CountDownLatch(1);
        volatile RuntimeException failWith;
        final AtomicBoolean interruptedAtStart = new AtomicBoolean();

        Map<String, RowOutcome<Long>> apply(Map<String, UnaryOperator<Long>> changes) {
            interruptedAtStart.compareAndSet(false, Thread.currentThread().isInterrupted());
            entered.countDown();
            // Like a statement on a socket: an interrupt does not stop it, and stays set for the caller to see.
            boolean interrupted = false;
            while (true) {
                try {
                    if (!hold.await(10, TimeUnit.SECONDS)) {
                        throw new AssertionError("held too long");
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            attempts.add(Set.copyOf(changes.keySet()));
            if (failWith != null) {
                throw failWith;
            }
            Map<String, RowOutcome<Long>> outcomes = new LinkedHashMap<>();
            Map<String, Long> written = new HashMap<>();
            changes.forEach((row, change) -> {
                Long before = values.get(row);
                if (before == null) {
                    outcomes.put(row, RowOutcome.failed(new IllegalArgumentException("no row " + row)));
                    return;
                }
                long after = change.apply(before);
                if (conflicted.remove(row)) {
                    outcomes.put(row, RowOutcome.failed(new ConcurrentUpdateException("row " + row + " changed")));
                } else {
                    written.put(row, after);
                    outcomes.put(row, RowOutcome.written(new Updated<>(before, after)));
                }
            });
            values.putAll(written);
            return outcomes;
        }
    }

    @AfterEach
    void stop() {
        callers.shutdownNow();
    }

    private Future<Updated<Long>> add(String row, long amount) {
        return callers.submit(() -> rows.update(row, v -> v + amount, table::apply));
    }

    /** The first caller runs alone and is held in its statements, so that the next ones queue behind it. */
    private Future<Updated<Long>> holdingTheTable(String row) throws InterruptedException {
        table.hold = new CountDownLatch(1);
        Future<Updated<Long>> first = add(row, 1);
        assertThat(table.entered.await(5, TimeUnit.SECONDS)).isTrue();
        return first;
    }

    private void awaitWaiting(int callers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (rows.waiting() < callers) {
            assertThat(System.nanoTime()).as("%d callers queued", callers).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    @Test
    void queuedCallersOnManyRowsShareOneAttemptAndEachSeesItsOwnStep() throws Exception {
        table.values.putAll(Map.of("a", 0L, "b", 100L, "c", 1000L));
        Future<Updated<Long>> first = holdingTheTable("a");
        List<Future<Updated<Long>>> queued = new ArrayList<>();
        queued.add(add("b", 10));
        awaitWaiting(1);
        queued.add(add("a", 20));
        awaitWaiting(2);
        queued.add(add("c", 30));
        awaitWaiting(3);
        queued.add(add("a", 40));
        awaitWaiting(4);
        table.hold.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(0L, 1L));
        assertThat(queued.get(0).get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(100L, 110L));
        // Two callers on row a in one batch: applied in turn, each sees the row as the previous one left it.
        assertThat(queued.get(1).get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(1L, 21L));
        assertThat(queued.get(2).get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(1000L, 1030L));
        assertThat(queued.get(3).get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(21L, 61L));
        assertThat(table.values).containsExactlyInAnyOrderEntriesOf(Map.of("a", 61L, "b", 110L, "c", 1030L));
        assertThat(table.attempts).containsExactly(Set.of("a"), Set.of("a", "b", "c"));
        assertThat(batches).extracting(b -> b[0] + "/" + b[1]).containsExactly("1/1", "3/4");
    }

    @Test
    void aConflictedRowFailsOnlyItsOwnCallersAndTheOtherRowsAreWritten() throws Exception {
        table.values.putAll(Map.of("a", 0L, "b", 0L, "c", 0L));
        Future<Updated<Long>> first = holdingTheTable("a");
        Future<Updated<Long>> onB = add("b", 5);
        awaitWaiting(1);
        Future<Updated<Long>> onC1 = add("c", 7);
        awaitWaiting(2);
        Future<Updated<Long>> onC2 = add("c", 9);
        awaitWaiting(3);
        table.conflicted.add("c");
        table.hold.countDown();

        first.get(5, TimeUnit.SECONDS);
        assertThat(onB.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(0L, 5L));
        for (Future<Updated<Long>> onC : List.of(onC1, onC2)) {
            assertThatThrownBy(() -> onC.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(ConcurrentUpdateException.class);
        }
        assertThat(table.values).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", 5L, "c", 0L));
        // Retried (as the strategy's retry does), the conflicted callers go through in a batch of their own.
        assertThat(add("c", 7).get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(0L, 7L));
    }

    @Test
    void aChangeThatThrowsFailsOnlyItsCallerAndTheRowKeepsTheOthersChanges() throws Exception {
        table.values.put("a", 0L);
        Future<Updated<Long>> first = holdingTheTable("a");
        Future<Updated<Long>> good1 = add("a", 2);
        awaitWaiting(1);
        Future<Updated<Long>> bad = callers.submit(() -> rows.update("a", v -> {
            throw new IllegalStateException("no");
        }, table::apply));
        awaitWaiting(2);
        Future<Updated<Long>> good2 = add("a", 4);
        awaitWaiting(3);
        table.hold.countDown();

        first.get(5, TimeUnit.SECONDS);
        assertThat(good1.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(1L, 3L));
        assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(good2.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(3L, 7L));
        assertThat(table.values).containsEntry("a", 7L);
    }

    @Test
    void aFailedStatementFailsEveryMemberOfItsBatchAndNoOneElse() throws Exception {
        table.values.putAll(Map.of("a", 0L, "b", 0L));
        Future<Updated<Long>> first = holdingTheTable("a");
        Future<Updated<Long>> onA = add("a", 3);
        awaitWaiting(1);
        Future<Updated<Long>> onB = add("b", 4);
        awaitWaiting(2);
        RuntimeException lost = new IllegalStateException("connection lost");
        table.failWith = lost;
        table.hold.countDown();

        for (Future<Updated<Long>> member : List.of(first, onA, onB)) {
            assertThatThrownBy(() -> member.get(5, TimeUnit.SECONDS)).hasCause(lost);
        }
        assertThat(table.values).containsExactlyInAnyOrderEntriesOf(Map.of("a", 0L, "b", 0L));
        table.failWith = null;
        assertThat(add("b", 4).get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(0L, 4L));
    }

    @Test
    void aMissingRowFailsItsCallerWithTheAdaptersError() throws Exception {
        table.values.put("a", 0L);
        Future<Updated<Long>> first = holdingTheTable("a");
        Future<Updated<Long>> missing = add("nope", 1);
        awaitWaiting(1);
        table.hold.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS).after()).isEqualTo(1L);
        assertThatThrownBy(() -> missing.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBatchCarriesAtMostMaxBatchAttemptsAndTheRestFollowInTheNext() throws Exception {
        int queuedCallers = RowBatches.MAX_BATCH + 10;
        for (int i = 0; i < queuedCallers; i++) {
            table.values.put("r" + i, 0L);
        }
        table.values.put("first", 0L);
        Future<Updated<Long>> first = holdingTheTable("first");
        List<Future<Updated<Long>>> queued = new ArrayList<>();
        for (int i = 0; i < queuedCallers; i++) {
            queued.add(add("r" + i, 1));
        }
        awaitWaiting(queuedCallers);
        table.hold.countDown();

        first.get(5, TimeUnit.SECONDS);
        for (Future<Updated<Long>> future : queued) {
            assertThat(future.get(5, TimeUnit.SECONDS).after()).isEqualTo(1L);
        }
        assertThat(table.attempts).hasSize(3);
        assertThat(table.attempts.get(1)).hasSize(RowBatches.MAX_BATCH);
        assertThat(table.attempts.get(2)).hasSize(10);
    }

    @Test
    void aQueuedCallerLeavesOnInterruptOrTimeoutWithNothingWritten() throws Exception {
        RowBatches<String, Long> impatient = new RowBatches<>("test rows", Duration.ofMillis(200), 1, (r, a) -> { });
        table.values.putAll(Map.of("a", 0L, "b", 0L));
        table.hold = new CountDownLatch(1);
        Future<Updated<Long>> first = callers.submit(() -> impatient.update("a", v -> v + 1, table::apply));
        assertThat(table.entered.await(5, TimeUnit.SECONDS)).isTrue();
        Future<Updated<Long>> timesOut = callers.submit(() -> impatient.update("b", v -> v + 1, table::apply));
        assertThatThrownBy(() -> timesOut.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(LockWaitTimeoutException.class);

        CountDownLatch queuedThread = new CountDownLatch(1);
        Thread[] thread = new Thread[1];
        Future<Updated<Long>> interrupted = callers.submit(() -> {
            thread[0] = Thread.currentThread();
            queuedThread.countDown();
            return impatient.update("b", v -> v + 1, table::apply);
        });
        assertThat(queuedThread.await(5, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (impatient.waiting() < 1) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(1);
        }
        thread[0].interrupt();
        assertThatThrownBy(() -> interrupted.get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(WaitInterruptedException.class);
        table.hold.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS).after()).isEqualTo(1L);
        assertThat(table.values).containsEntry("b", 0L);
        assertThat(table.attempts).containsExactly(Set.of("a"));
    }

    @Test
    void anInterruptOfTheHeadDoesNotReachTheStatementsAndIsRestoredAfter() throws Exception {
        table.values.put("a", 0L);
        Future<Boolean> head = callers.submit(() -> {
            Thread.currentThread().interrupt();
            try {
                rows.update("a", v -> v + 1, table::apply);
                return false;
            } catch (WaitInterruptedException expected) {
                return true;
            }
        });
        // Interrupted before it joined: it leaves at once, nothing written.
        assertThat(head.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(table.attempts).isEmpty();

        table.hold = new CountDownLatch(1);
        Thread[] thread = new Thread[1];
        Future<Boolean> interruptedHead = callers.submit(() -> {
            thread[0] = Thread.currentThread();
            rows.update("a", v -> v + 1, table::apply);
            return Thread.currentThread().isInterrupted();
        });
        assertThat(table.entered.await(5, TimeUnit.SECONDS)).isTrue();
        Future<Updated<Long>> member = add("a", 10);
        awaitWaiting(1);
        thread[0].interrupt();
        table.hold.countDown();

        assertThat(interruptedHead.get(5, TimeUnit.SECONDS)).as("interrupt restored").isTrue();
        assertThat(table.interruptedAtStart).as("no statement began interrupted").isFalse();
        assertThat(member.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(1L, 11L));
        assertThat(table.values).containsEntry("a", 11L);
    }
}
