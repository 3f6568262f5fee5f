package dev.lockwise.application.adaptive;

import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.Updated;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
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
    private final LockedBatches<Object, Long> batches = new LockedBatches<>((row, size) -> batchSizes.add(size));
    private final ExecutorService callers = Executors.newCachedThreadPool();

    /** A row: one counter, whose "transaction" applies a change under its monitor; can be held to build a queue. */
    private static final class Row {
        private long value;
        final AtomicInteger transactions = new AtomicInteger();
        volatile CountDownLatch hold = new CountDownLatch(0);
        final CountDownLatch entered = new CountDownLatch(1);

        Updated<Long> transaction(UnaryOperator<Long> change) {
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
    void rowsThatShareAStripeTakeTurnsButAreNeverCombined() throws Exception {
        long a = 1;
        long b = 2;
        while (LockedBatches.stripeOf(b) != LockedBatches.stripeOf(a)) {
            b++;
        }
        Row rowA = new Row();
        Row rowB = new Row();
        Future<Updated<Long>> head = holdingTheRow(a, rowA);
        long keyB = b;
        Future<Updated<Long>> onB = callers.submit(() -> batches.update(keyB, v -> v + 5, rowB::transaction));
        Future<Updated<Long>> onA = callers.submit(() -> batches.update(a, v -> v + 1, rowA::transaction));
        awaitWaiting(2);
        rowA.hold.countDown();

        assertThat(head.get(5, TimeUnit.SECONDS).after()).isEqualTo(1L);
        assertThat(onB.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(0L, 5L));
        assertThat(onA.get(5, TimeUnit.SECONDS)).isEqualTo(new Updated<>(1L, 2L));
        assertThat(rowA.transactions).hasValue(2);
        assertThat(rowB.transactions).hasValue(1);
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
    void anInterruptedWaiterStillLearnsItsOutcomeAndKeepsItsInterrupt() throws Exception {
        Row row = new Row();
        Future<Updated<Long>> head = holdingTheRow("row", row);
        AtomicInteger interruptedAfter = new AtomicInteger(-1);
        Thread waiter = new Thread(() -> {
            batches.update("row", v -> v + 1, row::transaction);
            interruptedAfter.set(Thread.currentThread().isInterrupted() ? 1 : 0);
        });
        waiter.start();
        awaitWaiting(1);
        waiter.interrupt();
        Thread.sleep(50);
        assertThat(waiter.isAlive()).isTrue();
        row.hold.countDown();
        waiter.join(5000);
        head.get(5, TimeUnit.SECONDS);

        assertThat(interruptedAfter).hasValue(1);
        assertThat(row.value()).isEqualTo(2L);
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (batches.waiting() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " waiting, saw " + batches.waiting());
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
