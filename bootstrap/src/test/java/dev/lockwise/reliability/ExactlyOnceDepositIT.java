package dev.lockwise.reliability;

import dev.lockwise.adapter.jooq.JooqAccountRepository;
import dev.lockwise.adapter.pessimistic.PessimisticAccountRepository;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.DatabaseUnavailableException;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.RequestIdConflictException;
import dev.lockwise.domain.account.Username;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A deposit with a request id is applied at most once, whatever is repeated, raced or lost in flight. */
class ExactlyOnceDepositIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(24);

    @BeforeEach
    void clean() {
        DB.truncateAll();
        DB.execute("TRUNCATE deposit_request");
    }

    private Account open(Lockwise lockwise, String name) {
        return lockwise.openAccount().open(new Username(name), Money.of("100.00"));
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void repeatingARequestIdReturnsTheFirstOutcomeAndAppliesNothingAgain(Strategy strategy) {
        try (Lockwise lockwise = Lockwise.builder(DB.dataSource()).strategy(strategy).build()) {
            Account alice = open(lockwise, "alice");
            RequestId request = new RequestId("order-4711-payment");
            DepositReceipt first = lockwise.deposit().depositOnce(request, alice.id(), Money.of("10.00"));
            DepositReceipt again = lockwise.deposit().depositOnce(request, alice.username(), Money.of("10.00"));

            assertThat(first.replayed()).isFalse();
            assertThat(again.replayed()).isTrue();
            assertThat(again.balanceAfter()).isEqualTo(Money.of("110.00"));
            assertThat(again.versionAfter()).isEqualTo(first.versionAfter()).isEqualTo(1);
            assertBalance(alice, "110.00", 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aRequestIdReusedForAnotherAccountOrAmountIsAConflictAndChangesNothing(Strategy strategy) {
        try (Lockwise lockwise = Lockwise.builder(DB.dataSource()).strategy(strategy).build()) {
            Account alice = open(lockwise, "alice");
            Account bob = open(lockwise, "bob");
            RequestId request = new RequestId("reused");
            lockwise.deposit().depositOnce(request, alice.id(), Money.of("10.00"));

            assertThatThrownBy(() -> lockwise.deposit().depositOnce(request, alice.id(), Money.of("11.00")))
                    .isInstanceOf(RequestIdConflictException.class).hasMessageContaining("reused");
            assertThatThrownBy(() -> lockwise.deposit().depositOnce(request, bob.id(), Money.of("10.00")))
                    .isInstanceOf(RequestIdConflictException.class);
            assertBalance(alice, "110.00", 1);
            assertBalance(bob, "100.00", 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void sixteenConcurrentCallersWithOneRequestIdApplyItOnce(Strategy strategy) throws Exception {
        try (Lockwise lockwise = Lockwise.builder(DB.dataSource()).strategy(strategy).build()) {
            Account alice = open(lockwise, "alice");
            RequestId request = new RequestId("raced");
            AtomicInteger applied = new AtomicInteger();
            AtomicInteger replayed = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    DepositReceipt receipt = lockwise.deposit().depositOnce(request, alice.id(), Money.of("5.00"));
                    (receipt.replayed() ? replayed : applied).incrementAndGet();
                    return null;
                }));
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
            for (Future<?> future : futures) {
                future.get();
            }
            assertThat(applied).hasValue(1);
            assertThat(replayed).hasValue(15);
            assertBalance(alice, "105.00", 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void oneRequestIdRacedForTwoAccountsAppliesOnceAndTheOtherIsARequestIdConflict(Strategy strategy)
            throws Exception {
        try (Lockwise lockwise = Lockwise.builder(DB.dataSource()).strategy(strategy).build()) {
            Account alice = open(lockwise, "alice");
            Account bob = open(lockwise, "bob");
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 40; round++) {
                    RequestId request = new RequestId("two-accounts-" + round);
                    CountDownLatch start = new CountDownLatch(1);
                    List<Future<DepositReceipt>> futures = new ArrayList<>();
                    for (Account target : List.of(alice, bob)) {
                        futures.add(pool.submit(() -> {
                            start.await();
                            return lockwise.deposit().depositOnce(request, target.id(), Money.of("1.00"));
                        }));
                    }
                    start.countDown();
                    int applied = 0;
                    int conflicts = 0;
                    for (Future<DepositReceipt> future : futures) {
                        try {
                            assertThat(future.get(30, TimeUnit.SECONDS).replayed()).isFalse();
                            applied++;
                        } catch (ExecutionException e) {
                            assertThat(e.getCause()).as("round " + round).isInstanceOf(RequestIdConflictException.class);
                            conflicts++;
                        }
                    }
                    assertThat(applied).as("round " + round).isEqualTo(1);
                    assertThat(conflicts).as("round " + round).isEqualTo(1);
                }
            } finally {
                pool.shutdownNow();
            }
            Object[] totals = DB.query("SELECT sum(balance), sum(version) FROM account").get(0);
            assertThat((BigDecimal) totals[0]).isEqualByComparingTo("240.00");
            assertThat(((Number) totals[1]).longValue()).isEqualTo(40L);
            assertThat(DB.queryValue("SELECT count(*) FROM deposit_request")).isEqualTo(40L);
        }
    }

    /**
     * The adaptive strategy can send two attempts of one request id on one account down different paths: one
     * optimistic (conditional write and receipt), one under the row lock. Both adapters take the account row before
     * the request id, so the two queue on the row; taken in opposite orders they would deadlock (PostgreSQL breaks
     * it after {@code deadlock_timeout}, a second's stall and a failed attempt each time).
     */
    @Test
    void anOptimisticAndALockedAttemptOfOneRequestIdNeverDeadlock() throws Exception {
        AccountRepository optimistic = new JooqAccountRepository(DB.dataSource(), Duration.ofSeconds(10));
        AccountRepository locked = new PessimisticAccountRepository(DB.dataSource(), Duration.ofSeconds(10));
        Account alice = optimistic.open(new Username("alice"), Money.of("100.00"));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int deadlocks = 0;
        long applied = 0;
        try {
            for (int round = 0; round < 60; round++) {
                RequestId request = new RequestId("mixed-" + round);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<DepositReceipt>> futures = new ArrayList<>();
                for (AccountRepository path : List.of(optimistic, locked)) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        return path.depositOnce(request, alice.id(), Money.of("1.00"));
                    }));
                }
                start.countDown();
                int appliedThisRound = 0;
                for (Future<DepositReceipt> future : futures) {
                    try {
                        appliedThisRound += future.get(30, TimeUnit.SECONDS).replayed() ? 0 : 1;
                    } catch (ExecutionException e) {
                        // One attempt may lose the race (that is what the retry is for), but not to a deadlock.
                        assertThat(e.getCause()).isInstanceOf(ConcurrentUpdateException.class);
                        if (e.getCause().getCause() instanceof SQLException sql
                                && "40P01".equals(sql.getSQLState())) {
                            deadlocks++;
                        }
                    }
                }
                assertThat(appliedThisRound).as("round " + round).isLessThanOrEqualTo(1);
                applied += appliedThisRound;
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(deadlocks).as("deadlocks between the two paths").isZero();
        assertThat(DB.queryValue("SELECT count(*) FROM deposit_request")).isEqualTo(applied);
        assertBalance(alice, BigDecimal.valueOf(100 + applied).setScale(2).toPlainString(), applied);
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void whenTheConnectionIsLostDuringCommitTheRetryWithTheSameIdIsExactlyOnce(Strategy strategy) {
        for (boolean commitHappened : new boolean[]{true, false}) {
            clean();
            LosingCommit losing = new LosingCommit(DB.dataSource(), commitHappened);
            try (Lockwise lockwise = Lockwise.builder(losing).strategy(strategy).build()) {
                Account alice = open(lockwise, "alice");
                RequestId request = new RequestId("ambiguous-" + commitHappened);
                losing.armed = true;
                assertThatThrownBy(() -> lockwise.deposit().depositOnce(request, alice.id(), Money.of("7.00")))
                        .isInstanceOf(DatabaseUnavailableException.class);
                assertThat(losing.armed).as("the commit was interfered with").isFalse();

                DepositReceipt retried = lockwise.deposit().depositOnce(request, alice.id(), Money.of("7.00"));
                assertThat(retried.replayed()).as("replayed when the lost commit had happened")
                        .isEqualTo(commitHappened);
                assertBalance(alice, "107.00", 1);
                assertThat(DB.queryValue("SELECT count(*) FROM deposit_request")).isEqualTo(1L);
            }
        }
    }

    private static void assertBalance(Account account, String balance, long version) {
        Object[] row = DB.query("SELECT balance, version FROM account WHERE id = ?", account.id().value()).get(0);
        assertThat((BigDecimal) row[0]).isEqualByComparingTo(balance);
        assertThat(row[1]).isEqualTo(version);
    }

    /**
     * A data source whose next commit is "lost": either it happens and the client is told the connection broke
     * ({@code commitHappens}), or the connection breaks before it and the transaction rolls back. The commit is
     * either {@code Connection.commit()} or a {@code COMMIT} sent in the same message as the writes (the pessimistic
     * adapter does that to shorten the time it holds the row lock).
     */
    static final class LosingCommit implements DataSource {
        private final DataSource delegate;
        private final boolean commitHappens;
        volatile boolean armed;

        LosingCommit(DataSource delegate, boolean commitHappens) {
            this.delegate = delegate;
            this.commitHappens = commitHappens;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection real = delegate.getConnection();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[]{Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("commit") && armed) {
                            armed = false;
                            if (commitHappens) {
                                real.commit();
                            } else {
                                real.rollback();
                            }
                            throw lost();
                        }
                        Object result = invoke(real, method, args);
                        if (method.getName().equals("prepareStatement") && ((String) args[0]).endsWith("; COMMIT")) {
                            return losingOnExecute(real, (PreparedStatement) result);
                        }
                        return result;
                    });
        }

        private PreparedStatement losingOnExecute(Connection real, PreparedStatement statement) {
            return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                    new Class<?>[]{PreparedStatement.class}, (proxy, method, args) -> {
                        if (method.getName().startsWith("execute") && armed) {
                            armed = false;
                            if (commitHappens) {
                                invoke(statement, method, args);
                            } else {
                                real.rollback();
                            }
                            throw lost();
                        }
                        return invoke(statement, method, args);
                    });
        }

        private static SQLException lost() {
            return new SQLException("I/O error: connection lost during COMMIT", "08006");
        }

        private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            return delegate.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws SQLException {
            return delegate.isWrapperFor(type);
        }
    }
}
