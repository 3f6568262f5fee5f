package dev.lockwise.application.adaptive;

import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.WaitInterruptedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The locked path's queue, on an in-memory "row" (a counter guarded by a monitor, standing in for the row lock): the
 * database side is covered by the adapter contract tests, which run adaptive against PostgreSQL.
 */
class LockedBatchesTest {
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final LockedBatches<Object, Long> batches = new LockedBatches<>(Duration.ofSeconds(30),
            (row, size) -> batchSizes.add(size));
    private final ExecutorService callers = Executors.newCachedThreadPool();

    /** A row: one counter, whose "transaction" applies a change under its monitor; can be held to build a queue. */
    private static final class Row {
        private long value;
        final AtomicInteger transactions = new AtomicInteger();
        volatile CountDownLatch hold = new CountDownLatch(0);
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicInteger entries = new AtomicInteger();

        Updated<Long> transaction(UnaryOperator<Long> change) {
            entries.incrementAndGet();
            entered.countDown();
            if (hold.getCount() > 0) {
                await(hold);
            }
            synchronized (this) {
                transactions.incrementAndGet();
                long before = value;
                long after = change.apply(before);
                value = after;
                return new Updated<>(before, after);
            }
        }

        synchronized long value() {
            return value;
        }
    }

    @AfterEach
    void stop() {
        callers.shutdownNow();
    }

    @Test
    void waitingChangesToOneRowShareOneTransactionAndEachSeesItsOwnStep() throws Exception {
        Row row = new Row();
        Future<Updated<Long>> first = holdingTheRow("row", row);
        List<Future<Updated<Long>>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(callers.submit(() -> batches.update("row", v -> v + 10, row::transaction)));
        }
        awaitWaiting(10);
        row.hold.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(0L, 1L));
        List<Long> afters = new ArrayList<>();
        for (Future<Updated<Long>> future : queued) {
            Updated<Long> updated = future.get(5, TimeUnit.SECONDS);
            assertThat(updated.after()).isEqualTo(updated.before() + 10);
            afters.add(updated.after());
        }
        assertThat(afters).containsExactlyInAnyOrder(11L, 21L, 31L, 41L, 51L, 61L, 71L, 81L, 91L, 101L);
        assertThat(row.value()).isEqualTo(101L);
        assertThat(row.transactions).hasValue(2);
        assertThat(batchSizes).containsExactly(1, 10);
    }

    @Test
    void aBusyRowHoldsUpNoOtherRowAndQueuesAreDroppedWhenIdle() throws Exception {
        Row busy = new Row();
        Row other = new Row();
        Future<Updated<Long>> head = holdingTheRow("busy", busy);
        Future<Updated<Long>> queued = callers.submit(() -> batches.update("busy", v -> v + 1, busy::transaction));
        awaitWaiting(1);

        // Whatever the rows' hash codes: another row has a queue of its own and runs at once.
        callers.submit(() -> {
            for (int i = 0; i < 300; i++) {
                assertThat(batches.update("other-" + i, v -> v + 1, other::transaction).after()).isEqualTo(i + 1L);
            }
            return null;
        }).get(10, TimeUnit.SECONDS);
        assertThat(batches.rowsQueued()).as("only the busy row has a queue").isEqualTo(1);
        busy.hold.countDown();

        assertThat(head.get(5, TimeUnit.SECONDS).after()).isEqualTo(1L);
        assertThat(queued.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(1L, 2L));
        assertThat(batches.rowsQueued()).as("idle queues are dropped").isZero();
    }

    @Test
    void aChangeThatThrowsFailsOnlyItsOwnCaller() throws Exception {
        Row row = new Row();
        Future<Updated<Long>> head = holdingTheRow("row", row);
        Future<Updated<Long>> good1 = callers.submit(() -> batches.update("row", v -> v + 2, row::transaction));
        awaitWaiting(1);
        Future<Updated<Long>> bad = callers.submit(() -> batches.update("row", v -> {
            throw new IllegalStateException("no");
        }, row::transaction));
        awaitWaiting(2);
        Future<Updated<Long>> good2 = callers.submit(() -> batches.update("row", v -> v + 4, row::transaction));
        awaitWaiting(3);
        row.hold.countDown();

        head.get(5, TimeUnit.SECONDS);
        assertThat(good1.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(1L, 3L));
        assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(good2.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(3L, 7L));
        assertThat(row.value()).isEqualTo(7L);
    }

    @Test
    void aFailedTransactionFailsEveryCallerInItAndChangesNothing() throws Exception {
        Row row = new Row();
        row.hold = new CountDownLatch(1);
        CountDownLatch failNext = new CountDownLatch(1);
        LockedBatches.LockedUpdate<Long> timesOutOnce = change -> {
            Updated<Long> updated;
            if (failNext.getCount() == 1 && row.transactions.get() == 1) {
                failNext.countDown();
                throw new LockWaitTimeoutException("row lock not granted", null);
            }
            updated = row.transaction(change);
            return updated;
        };
        Future<Updated<Long>> head = callers.submit(() -> batches.update("row", v -> v + 1, timesOutOnce));
        assertThat(row.entered.await(5, TimeUnit.SECONDS)).isTrue();
        List<Future<Updated<Long>>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(callers.submit(() -> batches.update("row", v -> v + 1, timesOutOnce)));
        }
        awaitWaiting(3);
        row.hold.countDown();

        assertThat(head.get(5, TimeUnit.SECONDS).after()).isEqualTo(1L);
        for (Future<Updated<Long>> future : queued) {
            assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(LockWaitTimeoutException.class);
        }
        assertThat(row.value()).isEqualTo(1L);
        assertThat(batches.waiting()).isZero();
    }

    @Test
    void anAttemptThatCannotBeCombinedRunsAloneInItsTurn() throws Exception {
        Row row = new Row();
        Future<Updated<Long>> head = holdingTheRow("row", row);
        Future<String> alone = callers.submit(() -> batches.alone("row",
                () -> "alone saw " + row.transaction(v -> v * 100).before()));
        awaitWaiting(1);
        Future<Updated<Long>> after = callers.submit(() -> batches.update("row", v -> v + 1, row::transaction));
        awaitWaiting(2);
        row.hold.countDown();

        head.get(5, TimeUnit.SECONDS);
        assertThat(alone.get(5, TimeUnit.SECONDS)).isEqualTo("alone saw 1");
        assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(100L, 101L));
        assertThat(row.transactions).hasValue(3);
    }

    @Test
    void aWaiterNotYetTakenLeavesOnInterruptWithNothingWritten() throws Exception {
        Row row = new Row();
        Future<Updated<Long>> head = holdingTheRow("row", row);
        CompletableFuture<Throwable> left = new CompletableFuture<>();
        AtomicInteger interruptedAfter = new AtomicInteger(-1);
        Thread waiter = new Thread(() -> {
            try {
                batches.update("row", v -> v + 100, row::transaction);
                left.complete(null);
            } catch (RuntimeException e) {
                left.complete(e);
            }
            interruptedAfter.set(Thread.currentThread().isInterrupted() ? 1 : 0);
        });
        waiter.start();
        awaitWaiting(1);
        waiter.interrupt();

        assertThat(left.get(5, TimeUnit.SECONDS)).isInstanceOf(WaitInterruptedException.class)
                .hasMessageContaining("nothing was written");
        waiter.join(5000);
        assertThat(interruptedAfter).as("the interrupt status is kept").hasValue(1);
        assertThat(batches.waiting()).isZero();
        row.hold.countDown();
        head.get(5, TimeUnit.SECONDS);
        assertThat(row.value()).as("only the head's change").isEqualTo(1L);
        assertThat(row.transactions).hasValue(1);
    }

    @Test
    void aWaiterNotYetTakenLeavesWhenTheLockTimeoutPasses() throws Exception {
        LockedBatches<Object, Long> impatient = new LockedBatches<>(Duration.ofMillis(200), (row, size) -> { });
        Row row = new Row();
        row.hold = new CountDownLatch(1);
        Future<Updated<Long>> head = callers.submit(() -> impatient.update("row", v -> v + 1, row::transaction));
        assertThat(row.entered.await(5, TimeUnit.SECONDS)).isTrue();
        long started = System.nanoTime();

        assertThatThrownBy(() -> impatient.update("row", v -> v + 100, row::transaction))
                .isInstanceOf(LockWaitTimeoutException.class).hasMessageContaining("200 ms");
        assertThat(System.nanoTime() - started).as("not before the timeout")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(impatient.waiting()).isZero();
        row.hold.countDown();
        assertThat(head.get(5, TimeUnit.SECONDS).after()).isEqualTo(1L);
        assertThat(row.value()).as("the timed-out change was never applied").isEqualTo(1L);
        assertThat(impatient.rowsQueued()).isZero();
    }

    @Test
    void aCallerAlreadyInARunningTransactionLearnsItsOutcomeAndKeepsItsInterrupt() throws Exception {
        Row row = new Row();
        Future<Updated<Long>> first = holdingTheRow("row", row);
        Future<Updated<Long>> nextHead = callers.submit(() -> batches.update("row", v -> v + 10, row::transaction));
        awaitWaiting(1);
        AtomicInteger interruptedAfter = new AtomicInteger(-1);
        CompletableFuture<Updated<Long>> member = new CompletableFuture<>();
        Thread memberThread = new Thread(() -> {
            member.complete(batches.update("row", v -> v + 100, row::transaction));
            interruptedAfter.set(Thread.currentThread().isInterrupted() ? 1 : 0);
        });
        memberThread.start();
        awaitWaiting(2);
        CountDownLatch secondHold = new CountDownLatch(1);
        CountDownLatch firstHold = row.hold;
        row.hold = secondHold; // the next transaction (next head + member) will wait inside, holding the row
        firstHold.countDown();
        first.get(5, TimeUnit.SECONDS);
        awaitEntries(row, 2);
        assertThat(batches.waiting()).as("the member was taken into the running transaction").isZero();

        memberThread.interrupt();
        Thread.sleep(50);
        assertThat(memberThread.isAlive()).as("a member waits for its outcome").isTrue();
        secondHold.countDown();

        assertThat(nextHead.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(1L, 11L));
        assertThat(member.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(11L, 111L));
        memberThread.join(5000);
        assertThat(interruptedAfter).hasValue(1);
        assertThat(row.transactions).hasValue(2);
    }

    @Test
    void anInterruptReachingTheHeadDoesNotFailTheOthersInItsTransaction() throws Exception {
        Row row = new Row();
        // Stands in for an interrupt that arrives as the head starts the batch: the listener runs on the head's thread.
        LockedBatches<Object, Long> interrupting = new LockedBatches<>(Duration.ofSeconds(30), (key, size) -> {
            if (size > 1) {
                Thread.currentThread().interrupt();
            }
        });
        // Like a connection pool, the transaction refuses to start on an interrupted thread.
        LockedBatches.LockedUpdate<Long> poolLike = change -> {
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted during connection acquisition");
            }
            return row.transaction(change);
        };
        row.hold = new CountDownLatch(1);
        Future<Updated<Long>> first = callers.submit(() -> interrupting.update("row", v -> v + 1, poolLike));
        assertThat(row.entered.await(5, TimeUnit.SECONDS)).isTrue();
        AtomicInteger headInterruptedAfter = new AtomicInteger(-1);
        Future<Updated<Long>> nextHead = callers.submit(() -> {
            Updated<Long> updated = interrupting.update("row", v -> v + 10, poolLike);
            headInterruptedAfter.set(Thread.interrupted() ? 1 : 0);
            return updated;
        });
        awaitWaiting(interrupting, 1);
        List<Future<Updated<Long>>> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(callers.submit(() -> interrupting.update("row", v -> v + 100, poolLike)));
        }
        awaitWaiting(interrupting, 4);
        row.hold.countDown();

        first.get(5, TimeUnit.SECONDS);
        assertThat(nextHead.get(5, TimeUnit.SECONDS).after()).isEqualTo(11L);
        for (Future<Updated<Long>> member : members) {
            assertThat(member.get(5, TimeUnit.SECONDS).after() - member.get().before()).isEqualTo(100L);
        }
        assertThat(headInterruptedAfter).as("the head's interrupt is restored afterwards").hasValue(1);
        assertThat(row.value()).isEqualTo(311L);
        assertThat(row.transactions).hasValue(2);
    }

    @Test
    void aListenerThatThrowsLeavesNoMemberWithoutAnOutcome() throws Exception {
        Row row = new Row();
        LockedBatches<Object, Long> failingListener = new LockedBatches<>(Duration.ofSeconds(30), (key, size) -> {
            throw new IllegalStateException("metrics backend down");
        });
        row.hold = new CountDownLatch(1);
        Future<Updated<Long>> first = callers.submit(() -> failingListener.update("row", v -> v + 1,
                row::transaction));
        assertThat(row.entered.await(5, TimeUnit.SECONDS)).isTrue();
        List<Future<Updated<Long>>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(callers.submit(() -> failingListener.update("row", v -> v + 1, row::transaction)));
        }
        awaitWaiting(failingListener, 5);
        row.hold.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(0L, 1L));
        List<Long> afters = new ArrayList<>();
        for (Future<Updated<Long>> future : queued) {
            Updated<Long> updated = future.get(5, TimeUnit.SECONDS);
            assertThat(updated).isNotNull();
            afters.add(updated.after());
        }
        assertThat(afters).containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L);
        assertThat(row.value()).isEqualTo(6L);
    }

    @Test
    void manyCallersOnFewRowsLoseNothing() throws Exception {
        int rows = 3;
        int perCaller = 2000;
        int callerCount = 16;
        Row[] counters = {new Row(), new Row(), new Row()};
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < callerCount; c++) {
            int caller = c;
            done.add(callers.submit(() -> {
                await(start);
                for (int i = 0; i < perCaller; i++) {
                    Row row = counters[(caller + i) % rows];
                    Updated<Long> updated = batches.update(row, v -> v + 1, row::transaction);
                    assertThat(updated.after()).isEqualTo(updated.before() + 1);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : done) {
            future.get(60, TimeUnit.SECONDS);
        }
        long total = 0;
        int transactions = 0;
        for (Row row : counters) {
            total += row.value();
            transactions += row.transactions.get();
        }
        assertThat(total).isEqualTo((long) perCaller * callerCount);
        assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(perCaller * callerCount);
        assertThat(batchSizes).hasSize(transactions).allMatch(size -> size >= 1 && size <= LockedBatches.MAX_BATCH);
        assertThat(batches.waiting()).isZero();
    }

    /** Starts a caller whose locked transaction (+1) holds {@code row} until the test counts its latch down. */
    private Future<Updated<Long>> holdingTheRow(Object key, Row row) throws InterruptedException {
        row.hold = new CountDownLatch(1);
        Future<Updated<Long>> head = callers.submit(() -> batches.update(key, v -> v + 1, row::transaction));
        assertThat(row.entered.await(5, TimeUnit.SECONDS)).as("the head is inside its transaction").isTrue();
        return head;
    }

    private void awaitWaiting(int count) throws InterruptedException {
        awaitWaiting(batches, count);
    }

    private static void awaitWaiting(LockedBatches<Object, Long> queue, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (queue.waiting() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " waiting, saw " + queue.waiting());
            }
            Thread.sleep(1);
        }
    }

    private static void awaitEntries(Row row, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (row.entries.get() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " transactions entered, saw " + row.entries.get());
            }
            Thread.sleep(1);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
