package dev.lockwise.contract;

import dev.lockwise.adapter.jooq.JooqAccountRepository;
import dev.lockwise.adapter.pessimistic.PessimisticAccountRepository;
import dev.lockwise.application.Deposit;
import dev.lockwise.application.adaptive.AdaptiveAccountRepository;
import dev.lockwise.application.adaptive.HotRows;
import dev.lockwise.application.batch.BatchedAccountRepository;
import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.application.retry.ConflictRetry;
import dev.lockwise.application.retry.RetryPolicy;
import dev.lockwise.domain.RetriesExhaustedException;
import dev.lockwise.domain.RowOutcome;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * "How do I test optimistic locking?" Not by hoping two threads collide: a test-only decorator of the port holds
 * each of the first two attempts between its read and its write until both have read the same version.
 */
class DeterministicConflictIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(8);

    private static final Comparator<AccountId> BY_ID = Comparator.comparingLong(AccountId::value);

    private final CountingEvents events = new CountingEvents();
    private Account account;

    @BeforeEach
    void openAccount() {
        DB.truncateAll();
        account = new JooqAccountRepository(DB.dataSource()).open(new Username("carol"), Money.of("100.00"));
    }

    @Test
    void theSecondOfTwoDepositsThatReadTheSameVersionConflictsThenRetriesAndSucceeds() throws Exception {
        ReadTogether repository = new ReadTogether(new JooqAccountRepository(DB.dataSource()), 2);
        Deposit deposit = new Deposit(repository, new ConflictRetry(RetryPolicy.DEFAULT, Strategy.OPTIMISTIC, events));

        CompletableFuture<Account> first = CompletableFuture.supplyAsync(() -> deposit.depositTo(account.id(), Money.of("1")));
        CompletableFuture<Account> second = CompletableFuture.supplyAsync(() -> deposit.depositTo(account.id(), Money.of("2")));
        first.get(30, TimeUnit.SECONDS);
        second.get(30, TimeUnit.SECONDS);

        assertThat(repository.versionsRead.get()).as("both first attempts read version 0").isEqualTo(2);
        assertThat(events.count(Operation.DEPOSIT, Strategy.OPTIMISTIC, "conflict")).isEqualTo(1);
        assertThat(events.count(Operation.DEPOSIT, Strategy.OPTIMISTIC, "retry")).isEqualTo(1);
        assertThat(repository.calls.get()).as("two first attempts and one retry").isEqualTo(3);
        Account stored = new JooqAccountRepository(DB.dataSource()).find(account.id()).orElseThrow();
        assertThat(stored.balance()).isEqualTo(Money.of("103.00"));
        assertThat(stored.version()).isEqualTo(2);
    }

    @Test
    void whenEveryAttemptConflictsTheRetriesRunOutWithTheAttemptCountAndTheBalanceIsUnchanged() {
        AccountRepository alwaysBeaten = new BeatenEveryTime(new JooqAccountRepository(DB.dataSource()));
        RetryPolicy fiveAttempts = RetryPolicy.DEFAULT.withMaxAttempts(5).withBackoff(Duration.ofMillis(1),
                Duration.ofMillis(5));
        Deposit deposit = new Deposit(alwaysBeaten, new ConflictRetry(fiveAttempts, Strategy.OPTIMISTIC, events));

        assertThatThrownBy(() -> deposit.depositTo(account.id(), Money.of("5")))
                .isInstanceOfSatisfying(RetriesExhaustedException.class, e -> assertThat(e.attempts()).isEqualTo(5))
                .hasMessageContaining("5 attempts");

        assertThat(events.count(Operation.DEPOSIT, Strategy.OPTIMISTIC, "exhausted")).isEqualTo(1);
        assertThat(events.count(Operation.DEPOSIT, Strategy.OPTIMISTIC, "retry")).isEqualTo(4);
        assertThat(new JooqAccountRepository(DB.dataSource()).find(account.id()).orElseThrow().balance())
                .isEqualTo(Money.of("100.00"));
    }

    @Test
    void adaptiveTakesTheRowLockOnTheSecondAttemptAndNeedsExactlyTwo() throws Exception {
        CountingRepository optimistic = new CountingRepository(
                new ReadTogether(new JooqAccountRepository(DB.dataSource()), 2));
        CountingRepository pessimistic = new CountingRepository(
                new PessimisticAccountRepository(DB.dataSource(), Duration.ofSeconds(5)));
        AccountRepository adaptive = new AdaptiveAccountRepository(optimistic, pessimistic,
                new HotRows(64, Duration.ofSeconds(30)), events, Duration.ofSeconds(5));
        Deposit deposit = new Deposit(adaptive, new ConflictRetry(RetryPolicy.DEFAULT, Strategy.ADAPTIVE, events));

        CompletableFuture<Account> first = CompletableFuture.supplyAsync(() -> deposit.depositTo(account.id(), Money.of("1")));
        CompletableFuture<Account> second = CompletableFuture.supplyAsync(() -> deposit.depositTo(account.id(), Money.of("2")));
        first.get(30, TimeUnit.SECONDS);
        second.get(30, TimeUnit.SECONDS);

        assertThat(optimistic.calls).as("one optimistic attempt each").hasValue(2);
        assertThat(pessimistic.calls).as("the loser's second attempt took the lock").hasValue(1);
        assertThat(events.count("deposit.adaptive.locked-after-conflict")).isEqualTo(1);
        assertThat(events.count(Operation.DEPOSIT, Strategy.ADAPTIVE, "conflict")).isEqualTo(1);
        assertThat(events.count(Operation.DEPOSIT, Strategy.ADAPTIVE, "retry"))
                .as("the loser's one retry, after the policy's backoff, is the locked attempt").isEqualTo(1);
        assertThat(events.count(Operation.DEPOSIT, Strategy.ADAPTIVE, "attempts"))
                .as("one attempt for the winner, exactly two for the loser").isEqualTo(3);

        // The row is now remembered hot: the next deposit goes straight to the lock.
        deposit.depositTo(account.id(), Money.of("3"));
        assertThat(pessimistic.calls).hasValue(2);
        assertThat(optimistic.calls).hasValue(2);
        assertThat(events.count("deposit.adaptive.locked-hot")).isEqualTo(1);
        assertThat(events.hotRows(Operation.DEPOSIT)).as("hot rows remembered").isEqualTo(1);
        Account stored = new JooqAccountRepository(DB.dataSource()).find(account.id()).orElseThrow();
        assertThat(stored.balance()).isEqualTo(Money.of("106.00"));
        assertThat(stored.version()).isEqualTo(3);
    }

    @Test
    void depositsQueuedBehindALockedTransactionShareTheNextOneAndEachGetsItsOwnStep() throws Exception {
        HotRows hotRows = new HotRows(64, Duration.ofSeconds(30));
        hotRows.markHot(account.id().value());
        HoldFirstUnderLock pessimistic = new HoldFirstUnderLock(
                new PessimisticAccountRepository(DB.dataSource(), Duration.ofSeconds(5)));
        AccountRepository adaptive = new AdaptiveAccountRepository(new JooqAccountRepository(DB.dataSource()),
                pessimistic, hotRows, events, Duration.ofSeconds(5));
        Deposit deposit = new Deposit(adaptive, new ConflictRetry(RetryPolicy.DEFAULT, Strategy.ADAPTIVE, events));

        CompletableFuture<Account> head = CompletableFuture.supplyAsync(
                () -> deposit.depositTo(account.id(), Money.of("1000")));
        assertThat(pessimistic.holding.await(10, TimeUnit.SECONDS)).as("the head holds the row lock").isTrue();
        List<Thread> queued = new ArrayList<>();
        List<Account> results = new CopyOnWriteArrayList<>();
        for (int i = 1; i <= 10; i++) {
            Money amount = Money.of(String.valueOf(i));
            Thread thread = new Thread(() -> results.add(deposit.depositTo(account.id(), amount)));
            thread.start();
            queued.add(thread);
        }
        awaitParkedInTheLockedQueue(queued);
        pessimistic.release.countDown();
        assertThat(head.get(30, TimeUnit.SECONDS).version()).isEqualTo(1);
        for (Thread thread : queued) {
            thread.join(30_000);
        }

        assertThat(results).hasSize(10);
        assertThat(results).extracting(Account::version).containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L,
                10L, 11L);
        assertThat(pessimistic.calls).as("two locked transactions: the head's, then all ten queued").hasValue(2);
        assertThat(events.count("deposit.adaptive.locked-transactions")).isEqualTo(2);
        assertThat(events.count("deposit.adaptive.locked-changes")).isEqualTo(11);
        assertThat(events.count(Operation.DEPOSIT, Strategy.ADAPTIVE, "attempts")).as("one attempt each").isEqualTo(11);
        Account stored = new JooqAccountRepository(DB.dataSource()).find(account.id()).orElseThrow();
        assertThat(stored.balance()).isEqualTo(Money.of("1155.00"));
        assertThat(stored.version()).isEqualTo(11);
        assertThat(results).filteredOn(a -> a.version() == 11).singleElement()
                .satisfies(last -> assertThat(last).isEqualTo(stored));
    }

    @Test
    void batchedAConflictOnOneRowOfABatchLeavesTheOtherMembersAcknowledgedAndRetriesOnlyThatOne() throws Exception {
        JooqAccountRepository jooq = new JooqAccountRepository(DB.dataSource());
        List<Account> accounts = openEmptyAccounts(jooq, "batch-", 4);
        AccountId victim = accounts.get(2).id();
        BeatOneRowOfTheSecondBatch repository = new BeatOneRowOfTheSecondBatch(jooq, victim);
        AccountRepository batched = new BatchedAccountRepository(repository, events, Duration.ofSeconds(5), 1);
        Deposit deposit = new Deposit(batched, new ConflictRetry(RetryPolicy.DEFAULT, Strategy.BATCHED, events));

        List<Account> results = depositBehindAHeldBatch(deposit, repository, accounts, Money.of("5"));

        assertThat(results).hasSize(4).allSatisfy(a -> assertThat(a.balance()).isEqualTo(Money.of("5.00")));
        assertThat(repository.batches).as("the head alone; the four queued together; then the beaten one alone")
                .containsExactly(List.of(account.id()), accounts.stream().map(Account::id).sorted(BY_ID).toList(),
                        List.of(victim));
        assertThat(events.count(Operation.DEPOSIT, Strategy.BATCHED, "conflict")).isEqualTo(1);
        assertThat(events.count(Operation.DEPOSIT, Strategy.BATCHED, "retry")).isEqualTo(1);
        for (Account each : accounts) {
            Account stored = jooq.find(each.id()).orElseThrow();
            assertThat(stored.balance()).isEqualTo(Money.of("5.00"));
            // The beaten row: the other session's bump, then the retried deposit.
            assertThat(stored.version()).isEqualTo(each.id().equals(victim) ? 2 : 1);
        }
    }

    @Test
    void adaptiveAsAssembledBatchesCalmRowsAndTakesTheRowLockForTheOneBeatenInItsBatch() throws Exception {
        JooqAccountRepository jooq = new JooqAccountRepository(DB.dataSource());
        List<Account> accounts = openEmptyAccounts(jooq, "calm-", 4);
        AccountId victim = accounts.get(1).id();
        BeatOneRowOfTheSecondBatch racing = new BeatOneRowOfTheSecondBatch(jooq, victim);
        CountingRepository pessimistic = new CountingRepository(
                new PessimisticAccountRepository(DB.dataSource(), Duration.ofSeconds(5)));
        // As LockwiseAssembly composes it: the calm path is the batched strategy's.
        AccountRepository adaptive = new AdaptiveAccountRepository(
                new BatchedAccountRepository(racing, events, Duration.ofSeconds(5), 1), pessimistic,
                new HotRows(64, Duration.ofSeconds(30)), events, Duration.ofSeconds(5));
        Deposit deposit = new Deposit(adaptive, new ConflictRetry(RetryPolicy.DEFAULT, Strategy.ADAPTIVE, events));

        List<Account> results = depositBehindAHeldBatch(deposit, racing, accounts, Money.of("7"));

        assertThat(results).hasSize(4).allSatisfy(a -> assertThat(a.balance()).isEqualTo(Money.of("7.00")));
        assertThat(racing.batches).as("the head alone, then the four calm rows in one batch, and no more")
                .containsExactly(List.of(account.id()), accounts.stream().map(Account::id).sorted(BY_ID).toList());
        assertThat(pessimistic.calls).as("the beaten caller's second attempt took the row lock").hasValue(1);
        assertThat(events.count("deposit.adaptive.locked-after-conflict")).isEqualTo(1);
        assertThat(events.count(Operation.DEPOSIT, Strategy.ADAPTIVE, "attempts"))
                .as("one attempt each, two for the beaten one").isEqualTo(6);
        for (Account each : accounts) {
            Account stored = jooq.find(each.id()).orElseThrow();
            assertThat(stored.balance()).isEqualTo(Money.of("7.00"));
            assertThat(stored.version()).isEqualTo(each.id().equals(victim) ? 2 : 1);
        }

        // The beaten row is remembered hot: the next deposit into it goes straight to the lock, not to a batch.
        assertThat(events.hotRows(Operation.DEPOSIT)).as("hot rows remembered").isEqualTo(1);
        assertThat(deposit.depositTo(victim, Money.of("1")).version()).isEqualTo(3);
        assertThat(pessimistic.calls).hasValue(2);
        assertThat(racing.batches).hasSize(2);
    }

    private static List<Account> openEmptyAccounts(JooqAccountRepository jooq, String prefix, int count) {
        List<Account> accounts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            accounts.add(jooq.open(new Username(prefix + i), Money.of("0")));
        }
        return accounts;
    }

    /**
     * Deposits 1000 into the test's account as the head of a first batch that {@code batches} holds; queues one
     * deposit of {@code amount} into each of {@code accounts} behind it; releases the first batch; returns the queued
     * deposits' results once every one of them is done.
     */
    private List<Account> depositBehindAHeldBatch(Deposit deposit, BeatOneRowOfTheSecondBatch batches,
                                                  List<Account> accounts, Money amount) throws Exception {
        CompletableFuture<Account> head = CompletableFuture.supplyAsync(
                () -> deposit.depositTo(account.id(), Money.of("1000")));
        assertThat(batches.holding.await(10, TimeUnit.SECONDS)).as("the first batch is in flight").isTrue();
        List<Thread> queued = new ArrayList<>();
        List<Account> results = new CopyOnWriteArrayList<>();
        for (Account each : accounts) {
            Thread thread = new Thread(() -> results.add(deposit.depositTo(each.id(), amount)));
            thread.start();
            queued.add(thread);
        }
        awaitParkedInTheLockedQueue(queued);
        batches.release.countDown();
        assertThat(head.get(30, TimeUnit.SECONDS).balance()).isEqualTo(Money.of("1100.00"));
        for (Thread thread : queued) {
            thread.join(30_000);
        }
        return results;
    }

    /**
     * The first multi-row attempt waits until released (so that the next callers queue into one batch); in the
     * second, another session bumps one row's version between the batch's read and its write.
     */
    static final class BeatOneRowOfTheSecondBatch extends Delegating {
        final AccountId victim;
        final List<List<AccountId>> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        BeatOneRowOfTheSecondBatch(AccountRepository delegate, AccountId victim) {
            super(delegate);
            this.victim = victim;
        }

        @Override
        public Map<AccountId, RowOutcome<Account>> updateEach(Map<AccountId, UnaryOperator<Account>> changes) {
            batches.add(changes.keySet().stream().sorted(BY_ID).toList());
            if (batches.size() == 1) {
                holding.countDown();
                try {
                    assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (batches.size() != 2) {
                return delegate.updateEach(changes);
            }
            Map<AccountId, UnaryOperator<Account>> beaten = new LinkedHashMap<>(changes);
            UnaryOperator<Account> victimsChange = changes.get(victim);
            beaten.put(victim, read -> {
                DB.execute("UPDATE account SET version = version + 1 WHERE id = ?", victim.value());
                return victimsChange.apply(read);
            });
            return delegate.updateEach(beaten);
        }
    }

    /** Waits until every thread is parked in the adaptive path's queue for the row lock. */
    private static void awaitParkedInTheLockedQueue(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!threads.stream().allMatch(t -> {
            Object blocker = LockSupport.getBlocker(t);
            return blocker != null && blocker.getClass().getName().startsWith(
                    "dev.lockwise.application.batch.BatchQueues");
        })) {
            assertThat(System.nanoTime() - deadline).as("threads queued in time").isNegative();
            Thread.sleep(5);
        }
    }

    /** The first locked update waits, holding the row lock, until the test releases it. */
    static final class HoldFirstUnderLock extends Delegating {
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HoldFirstUnderLock(AccountRepository delegate) {
            super(delegate);
        }

        @Override
        public Updated<Account> update(AccountId id, UnaryOperator<Account> change) {
            boolean first = calls.incrementAndGet() == 1;
            return delegate.update(id, locked -> {
                if (first) {
                    holding.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                return change.apply(locked);
            });
        }
    }

    /** Holds the first {@code parties} attempts after their read until all of them have read. */
    static final class ReadTogether extends Delegating {
        final CyclicBarrier barrier;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger versionsRead = new AtomicInteger();

        ReadTogether(AccountRepository delegate, int parties) {
            super(delegate);
            this.barrier = new CyclicBarrier(parties);
        }

        @Override
        public Updated<Account> update(AccountId id, UnaryOperator<Account> change) {
            boolean hold = calls.incrementAndGet() <= barrier.getParties();
            return delegate.update(id, read -> {
                if (hold) {
                    if (read.version() == 0) {
                        versionsRead.incrementAndGet();
                    }
                    try {
                        barrier.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                return change.apply(read);
            });
        }
    }

    /** Between every read and write, another session bumps the row's version: every attempt conflicts. */
    static final class BeatenEveryTime extends Delegating {
        BeatenEveryTime(AccountRepository delegate) {
            super(delegate);
        }

        @Override
        public Updated<Account> update(AccountId id, UnaryOperator<Account> change) {
            return delegate.update(id, read -> {
                DB.execute("UPDATE account SET version = version + 1 WHERE id = ?", id.value());
                return change.apply(read);
            });
        }
    }

    static final class CountingRepository extends Delegating {
        final AtomicInteger calls = new AtomicInteger();

        CountingRepository(AccountRepository delegate) {
            super(delegate);
        }

        @Override
        public Updated<Account> update(AccountId id, UnaryOperator<Account> change) {
            calls.incrementAndGet();
            return delegate.update(id, change);
        }
    }

    abstract static class Delegating implements AccountRepository {
        final AccountRepository delegate;

        Delegating(AccountRepository delegate) {
            this.delegate = delegate;
        }

        @Override
        public Account open(Username username, Money initialBalance) {
            return delegate.open(username, initialBalance);
        }

        @Override
        public Optional<Account> find(AccountId id) {
            return delegate.find(id);
        }

        @Override
        public Optional<Account> find(Username username) {
            return delegate.find(username);
        }

        @Override
        public Updated<Account> update(AccountId id, UnaryOperator<Account> change) {
            return delegate.update(id, change);
        }

        @Override
        public Updated<Account> update(Username username, UnaryOperator<Account> change) {
            return delegate.update(username, change);
        }

        @Override
        public DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount) {
            return delegate.depositOnce(requestId, id, amount);
        }
    }

}
