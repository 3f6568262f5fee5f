package dev.lockwise.testing.contract;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.RowOutcome;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.DuplicateUsernameException;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.RequestIdConflictException;
import dev.lockwise.domain.account.Username;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link AccountRepository} must do, whatever keeps its writes safe. Extend it in the adapter's own tests
 * (or in a host's tests of its own implementation) and return the repository under test from {@link #accounts()}:
 * each test opens accounts under fresh names, so the tests share one database without clearing it.
 *
 * <p>One call is one attempt: a lost race may end in {@link ConcurrentUpdateException}, which the concurrent test
 * retries the way the application's retry does; what may never happen is a lost or doubled change.
 */
public abstract class AccountRepositoryContract {
    /**
     * The repository under test; called once per test.
     *
     * @return the repository, on a migrated database the tests share without clearing it
     */
    protected abstract AccountRepository accounts();

    private static Username fresh(String name) {
        return new Username(name + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Test
    void anOpenedAccountStartsAtVersionZeroAndIsFoundByIdAndName() {
        AccountRepository accounts = accounts();
        Username name = fresh("open");
        Account opened = accounts.open(name, Money.of("12.50"));
        assertEquals(name, opened.username());
        assertEquals(Money.of("12.50"), opened.balance());
        assertEquals(0, opened.version());
        assertEquals(opened, accounts.find(opened.id()).orElseThrow());
        assertEquals(opened, accounts.find(name).orElseThrow());
        assertTrue(accounts.find(fresh("nobody")).isEmpty());
    }

    @Test
    void aTakenUsernameIsRefusedAndTheFirstAccountIsUntouched() {
        AccountRepository accounts = accounts();
        Username name = fresh("taken");
        Account first = accounts.open(name, Money.of("1"));
        assertThrows(DuplicateUsernameException.class, () -> accounts.open(name, Money.of("2")));
        assertEquals(first, accounts.find(name).orElseThrow());
    }

    @Test
    void anUpdateWritesTheChangeWithTheVersionOneHigher() {
        AccountRepository accounts = accounts();
        Account opened = accounts.open(fresh("update"), Money.of("10"));
        Updated<Account> byId = accounts.update(opened.id(), account -> account.deposit(Money.of("5")));
        assertEquals(opened, byId.before());
        assertEquals(Money.of("15"), byId.after().balance());
        assertEquals(1, byId.after().version());
        Updated<Account> byName = accounts.update(opened.username(), account -> account.deposit(Money.of("1")));
        assertEquals(byId.after(), byName.before());
        assertEquals(byName.after(), accounts.find(opened.id()).orElseThrow());
        assertEquals(Money.of("16"), byName.after().balance());
        assertEquals(2, byName.after().version());
    }

    @Test
    void anUnchangedRowIsNotWritten() {
        AccountRepository accounts = accounts();
        Account opened = accounts.open(fresh("same"), Money.of("3"));
        Updated<Account> unchanged = accounts.update(opened.id(), account -> account);
        assertEquals(unchanged.before(), unchanged.after());
        assertEquals(0, accounts.find(opened.id()).orElseThrow().version());
    }

    @Test
    void aMissingAccountIsReportedAndNothingIsWritten() {
        AccountRepository accounts = accounts();
        AccountId missing = new AccountId(Long.MAX_VALUE);
        assertThrows(AccountNotFoundException.class, () -> accounts.update(missing, a -> a.deposit(Money.of("1"))));
        assertThrows(AccountNotFoundException.class,
                () -> accounts.update(fresh("missing"), a -> a.deposit(Money.of("1"))));
        assertThrows(AccountNotFoundException.class,
                () -> accounts.depositOnce(new RequestId(UUID.randomUUID().toString()), missing, Money.of("1")));
    }

    @Test
    void aChangeThatFailsWritesNothing() {
        AccountRepository accounts = accounts();
        Account opened = accounts.open(fresh("fails"), Money.of("3"));
        assertThrows(IllegalStateException.class, () -> accounts.update(opened.id(), account -> {
            throw new IllegalStateException("a change that fails");
        }));
        assertEquals(opened, accounts.find(opened.id()).orElseThrow());
    }

    @Test
    void updateEachWritesEachRowAndReportsEachOutcomeOnItsOwn() {
        AccountRepository accounts = accounts();
        Account first = accounts.open(fresh("each-1"), Money.of("10"));
        Account second = accounts.open(fresh("each-2"), Money.of("20"));
        Account refused = accounts.open(fresh("each-3"), Money.of("30"));
        Account unchanged = accounts.open(fresh("each-4"), Money.of("40"));
        AccountId missing = new AccountId(Long.MAX_VALUE);
        Map<AccountId, UnaryOperator<Account>> changes = new LinkedHashMap<>();
        changes.put(second.id(), a -> a.deposit(Money.of("2")).deposit(Money.of("3")));
        changes.put(missing, a -> a.deposit(Money.of("1")));
        changes.put(first.id(), a -> a.deposit(Money.of("1")));
        changes.put(refused.id(), a -> {
            throw new IllegalStateException("a change that fails");
        });
        changes.put(unchanged.id(), a -> a);

        Map<AccountId, RowOutcome<Account>> outcomes = accounts.updateEach(changes);

        assertEquals(List.copyOf(changes.keySet()), List.copyOf(outcomes.keySet()), "one outcome per row, in order");
        Updated<Account> two = outcomes.get(second.id()).orThrow();
        assertEquals(second, two.before());
        assertEquals(Money.of("25"), two.after().balance());
        assertEquals(2, two.after().version(), "two changes combined: the version advances by two");
        assertEquals(two.after(), accounts.find(second.id()).orElseThrow());
        assertEquals(Money.of("11"), accounts.find(first.id()).orElseThrow().balance());
        assertEquals(1, outcomes.get(first.id()).orThrow().after().version());
        assertThrows(AccountNotFoundException.class, () -> outcomes.get(missing).orThrow());
        assertThrows(IllegalStateException.class, () -> outcomes.get(refused.id()).orThrow());
        assertEquals(refused, accounts.find(refused.id()).orElseThrow());
        assertEquals(unchanged, outcomes.get(unchanged.id()).orThrow().after());
        assertEquals(unchanged, accounts.find(unchanged.id()).orElseThrow());
        assertTrue(accounts.updateEach(Map.of()).isEmpty());
    }

    @Test
    void aRequestIdIsAppliedOnceAndItsRepeatAnswersTheFirstReceipt() {
        AccountRepository accounts = accounts();
        Account opened = accounts.open(fresh("once"), Money.of("100"));
        RequestId request = new RequestId("contract-" + UUID.randomUUID());
        DepositReceipt first = accounts.depositOnce(request, opened.id(), Money.of("7"));
        assertFalse(first.replayed());
        assertEquals(Money.of("107"), first.balanceAfter());
        assertEquals(1, first.versionAfter());

        DepositReceipt again = accounts.depositOnce(request, opened.id(), Money.of("7"));
        assertTrue(again.replayed());
        assertEquals(first.balanceAfter(), again.balanceAfter());
        assertEquals(first.versionAfter(), again.versionAfter());
        assertEquals(Money.of("107"), accounts.find(opened.id()).orElseThrow().balance());

        assertThrows(RequestIdConflictException.class, () -> accounts.depositOnce(request, opened.id(), Money.of("8")));
        Account other = accounts.open(fresh("other"), Money.of("0"));
        assertThrows(RequestIdConflictException.class, () -> accounts.depositOnce(request, other.id(), Money.of("7")));
        assertEquals(Money.of("107"), accounts.find(opened.id()).orElseThrow().balance());
        assertEquals(Money.of("0"), accounts.find(other.id()).orElseThrow().balance());
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void concurrentDepositsRetriedOnConflictAreNeitherLostNorDoubled() throws Exception {
        AccountRepository accounts = accounts();
        Account opened = accounts.open(fresh("race"), Money.of("0"));
        int threads = 8;
        int each = 25;
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> callers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int caller = t;
                callers.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        boolean once = i % 2 == 0;
                        RequestId request = new RequestId("race-" + opened.id().value() + "-" + caller + "-" + i);
                        while (true) {
                            try {
                                if (once) {
                                    accounts.depositOnce(request, opened.id(), Money.of("1"));
                                } else {
                                    accounts.update(opened.id(), account -> account.deposit(Money.of("1")));
                                }
                                break;
                            } catch (ConcurrentUpdateException conflict) {
                                conflicts.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> caller : callers) {
                caller.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        Account after = accounts.find(opened.id()).orElseThrow();
        assertEquals(Money.of(String.valueOf(threads * each)), after.balance(),
                "every deposit applied exactly once (" + conflicts.get() + " conflicts retried)");
        assertEquals(threads * each, after.version(), "one version per deposit");
        assertNotEquals(opened, after);
    }
}
