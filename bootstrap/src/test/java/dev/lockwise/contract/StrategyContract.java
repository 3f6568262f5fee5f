package dev.lockwise.contract;

import dev.lockwise.application.Deposit;
import dev.lockwise.application.ProcessingOutcome;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.bootstrap.LockwiseAssembly;
import dev.lockwise.domain.InvalidAmountException;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DuplicateUsernameException;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactNotFoundException;
import dev.lockwise.domain.verfact.VerFactRepository;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every strategy keeps, run once per strategy against a real PostgreSQL with real threads: happy
 * paths, bad input that changes nothing, and the invariants under load (no lost update, exactly one winner).
 */
abstract class StrategyContract {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(40);

    protected final CountingEvents events = new CountingEvents();
    protected Lockwise lockwise;
    /** The strategy's ports, to read back what the use cases wrote (the facade exposes only the use cases). */
    protected AccountRepository accountStore;
    protected VerFactRepository verFactStore;

    protected abstract Strategy strategy();

    /** @return the deposit use case under test: the facade's, unless a (deliberately broken) variant replaces it */
    protected Deposit deposit() {
        return lockwise.deposit();
    }

    /** @return the set-as-processed use case under test: the facade's, unless a variant replaces it */
    protected SetAsProcessed setAsProcessed() {
        return lockwise.setAsProcessed();
    }

    @BeforeEach
    void setUp() {
        DB.truncateAll();
        lockwise = Lockwise.builder(DB.dataSource()).strategy(strategy()).events(events).build();
        accountStore = LockwiseAssembly.accounts(DB.dataSource(), lockwise.options());
        verFactStore = LockwiseAssembly.verFacts(DB.dataSource(), lockwise.options());
    }

    @AfterEach
    void tearDown() {
        lockwise.close();
    }

    // ---- happy paths -------------------------------------------------------------------------------------------

    @Test
    void opensAnAccountAndDepositsByIdAndByUsername() {
        Account opened = lockwise.openAccount().open(new Username("alice"), Money.of("10.00"));
        assertThat(opened.version()).isZero();

        Account afterId = deposit().depositTo(opened.id(), Money.of("2.50"));
        Account afterName = deposit().depositTo(new Username("alice"), Money.of("0.01"));

        assertThat(afterId.balance()).isEqualTo(Money.of("12.50"));
        assertThat(afterName.balance()).isEqualTo(Money.of("12.51"));
        assertThat(afterName.version()).isEqualTo(2);
        assertThat(accountStore.find(opened.id())).contains(afterName);
        assertThat(events.count(Operation.DEPOSIT, strategy(), "success")).isEqualTo(2);
    }

    @Test
    void aDuplicateUsernameIsRefusedAndChangesNothing() {
        lockwise.openAccount().open(new Username("bob"), Money.of("1"));
        assertThatThrownBy(() -> lockwise.openAccount().open(new Username("bob"), Money.of("5")))
                .isInstanceOf(DuplicateUsernameException.class).hasMessageContaining("bob");
        assertThat(accountStore.find(new Username("bob")).orElseThrow().balance()).isEqualTo(Money.of("1"));
    }

    @Test
    void recordsAndProcessesAVerFactOnce() {
        VerFact fact = lockwise.recordVerFact().record();
        assertThat(fact.version()).isEqualTo(1);
        assertThat(fact.processed()).isFalse();

        assertThat(setAsProcessed().process(fact.id())).isEqualTo(ProcessingOutcome.PROCESSED_BY_THIS_CALL);
        assertThat(setAsProcessed().process(fact.id())).isEqualTo(ProcessingOutcome.ALREADY_PROCESSED);

        VerFact stored = verFactStore.find(fact.id()).orElseThrow();
        assertThat(stored.processed()).isTrue();
        assertThat(stored.version()).isEqualTo(2);
    }

    // ---- bad input changes nothing -----------------------------------------------------------------------------

    @Test
    void unknownAccountsAreNotFoundAndNothingChanges() {
        Account alice = lockwise.openAccount().open(new Username("alice"), Money.of("10.00"));
        assertThatThrownBy(() -> deposit().depositTo(new AccountId(alice.id().value() + 1000), Money.of("1")))
                .isInstanceOf(AccountNotFoundException.class).hasMessageContaining("no account with id");
        assertThatThrownBy(() -> deposit().depositTo(new Username("nobody"), Money.of("1")))
                .isInstanceOf(AccountNotFoundException.class).hasMessageContaining("nobody");
        assertUnchanged(alice);
    }

    @Test
    void anUnknownVerFactIsAnError() {
        assertThatThrownBy(() -> setAsProcessed().process(new VerFactId(424242)))
                .isInstanceOf(VerFactNotFoundException.class);
        assertThat(DB.queryValue("SELECT count(*) FROM verfact")).isEqualTo(0L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.00", "-1", "0.001", "1.005", "1e20", "100000000000000000", "abc", ""})
    void invalidAmountsAreRefusedBeforeAnySql(String amount) {
        Account alice = lockwise.openAccount().open(new Username("alice"), Money.of("10.00"));
        assertThatThrownBy(() -> deposit().depositTo(alice.id(), Money.parse(amount)))
                .isInstanceOf(InvalidAmountException.class);
        assertThatThrownBy(() -> deposit().depositTo(alice.username(), Money.parse(amount)))
                .isInstanceOf(InvalidAmountException.class);
        assertUnchanged(alice);
    }

    @Test
    void aDepositThatWouldOverflowTheColumnIsRefused() {
        Account rich = lockwise.openAccount().open(new Username("rich"), new Money(Money.MAX));
        assertThatThrownBy(() -> deposit().depositTo(rich.id(), Money.of("0.01")))
                .isInstanceOf(InvalidAmountException.class).hasMessageContaining("exceed");
        assertUnchanged(rich);
    }

    private void assertUnchanged(Account account) {
        Object[] row = DB.query("SELECT balance, version FROM account WHERE id = ?", account.id().value()).get(0);
        assertThat((BigDecimal) row[0]).isEqualByComparingTo(account.balance().amount());
        assertThat(row[1]).isEqualTo(account.version());
    }

    // ---- invariants under load ---------------------------------------------------------------------------------

    @ParameterizedTest(name = "16 threads x 500 deposits over {0} account(s)")
    @ValueSource(ints = {1, 10, 100})
    void concurrentDepositsAreNeverLost(int accountCount) throws Exception {
        List<Account> accounts = openAccounts(accountCount, "10.00");
        Map<AccountId, AtomicLong> centsDeposited = new ConcurrentHashMap<>();
        Map<AccountId, AtomicInteger> depositsMade = new ConcurrentHashMap<>();
        accounts.forEach(a -> {
            centsDeposited.put(a.id(), new AtomicLong());
            depositsMade.put(a.id(), new AtomicInteger());
        });

        runConcurrently(16, 500, () -> {
            Account target = accounts.get(ThreadLocalRandom.current().nextInt(accounts.size()));
            long cents = ThreadLocalRandom.current().nextLong(1, 10_000);
            deposit().depositTo(target.id(), Money.ofCents(cents));
            centsDeposited.get(target.id()).addAndGet(cents);
            depositsMade.get(target.id()).incrementAndGet();
        });

        for (Account account : accounts) {
            Account stored = accountStore.find(account.id()).orElseThrow();
            assertThat(stored.balance()).isEqualTo(Money.ofCents(1000 + centsDeposited.get(account.id()).get()));
            assertThat(stored.version()).isEqualTo(depositsMade.get(account.id()).get());
        }
        assertThat(events.count(Operation.DEPOSIT, strategy(), "exhausted")).isZero();
        assertThat(events.count(Operation.DEPOSIT, strategy(), "success")).isEqualTo(16 * 500);
    }

    @Test
    void seedWorkloadOf1000DepositsOver100AccountsWith100CallersAllSucceed() throws Exception {
        List<Account> accounts = openAccounts(100, "0");
        runConcurrently(100, 10, () -> {
            Account target = accounts.get(ThreadLocalRandom.current().nextInt(accounts.size()));
            deposit().depositTo(target.username(), Money.of("1.00"));
        });
        assertThat((BigDecimal) DB.queryValue("SELECT sum(balance) FROM account")).isEqualByComparingTo("1000.00");
        assertThat(DB.queryValue("SELECT sum(version) FROM account")).isEqualTo(new BigDecimal(1000));
        assertThat(events.count(Operation.DEPOSIT, strategy(), "exhausted")).isZero();
    }

    @Test
    void exactlyOneOf32CallersProcessesTheSameFact() throws Exception {
        VerFact fact = lockwise.recordVerFact().record();
        AtomicInteger winners = new AtomicInteger();
        AtomicInteger alreadyDone = new AtomicInteger();
        runConcurrently(32, 1, () -> {
            if (setAsProcessed().process(fact.id()) == ProcessingOutcome.PROCESSED_BY_THIS_CALL) {
                winners.incrementAndGet();
            } else {
                alreadyDone.incrementAndGet();
            }
        });
        assertThat(winners).hasValue(1);
        assertThat(alreadyDone).hasValue(31);
        assertThat(verFactStore.find(fact.id()).orElseThrow().version()).isEqualTo(2);
    }

    @Test
    void workersThatInsertAndProcessRandomFactsNeverLoseAnUpdate() throws Exception {
        AtomicInteger processedByMe = new AtomicInteger();
        runConcurrently(10, 20, () -> {
            lockwise.recordVerFact().record();
            List<VerFactId> ids = verFactStore.findAllIds();
            VerFactId pick = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
            if (setAsProcessed().process(pick) == ProcessingOutcome.PROCESSED_BY_THIS_CALL) {
                processedByMe.incrementAndGet();
            }
        });
        List<VerFact> facts = verFactStore.findAll();
        assertThat(facts).hasSize(200);
        assertThat(facts).allSatisfy(f -> assertThat(f.version()).isEqualTo(f.processed() ? 2 : 1));
        assertThat(facts.stream().filter(VerFact::processed).count()).isEqualTo(processedByMe.get());
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    protected List<Account> openAccounts(int count, String balance) {
        List<Account> accounts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            accounts.add(lockwise.openAccount().open(new Username("user-" + i), Money.of(balance)));
        }
        return accounts;
    }

    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    /** {@code threads} real threads, each doing {@code times} calls, all started together; rethrows any failure. */
    static void runConcurrently(int threads, int times, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < times; i++) {
                    work.run();
                }
                return null;
            }));
        }
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(3, TimeUnit.MINUTES)).as("workers finished in time").isTrue();
        for (Future<?> future : futures) {
            future.get();
        }
    }
}
