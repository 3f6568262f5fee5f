package dev.lockwise.reliability;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.db.Migrations;
import dev.lockwise.domain.DatabaseUnavailableException;
import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.lease.LockUnavailableException;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.testing.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Faults during a running workload: every connection killed, the server restarted, rows and leases locked by an
 * outside session. Each operation either succeeds or fails with a clear, typed error; deposits carry request ids and
 * are retried with the same id, so what was acknowledged equals the balance change exactly.
 */
class FaultsIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(4);

    @TempDir
    Path temp;

    @BeforeEach
    void clean() {
        DB.truncateAll();
    }

    static HikariDataSource pool(String url, String user, String password, String applicationName) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(8);
        config.setConnectionTimeout(2_000);
        config.setValidationTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        config.addDataSourceProperty("ApplicationName", applicationName);
        config.addDataSourceProperty("connectTimeout", "2");
        return new HikariDataSource(config);
    }

    /** A workload of exactly-once deposits that retries a deposit with the same request id while the database is away. */
    static final class Workload {
        final AtomicLong acknowledgedCents = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong unavailable = new AtomicLong();
        final Set<String> otherFailures = ConcurrentHashMap.newKeySet();
        final AtomicBoolean stop = new AtomicBoolean();

        List<Future<?>> start(ExecutorService pool, Lockwise lockwise, List<Account> accounts, int threads) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        RequestId request = new RequestId("t" + thread + "-" + n);
                        Account target = accounts.get(ThreadLocalRandom.current().nextInt(accounts.size()));
                        long cents = 1 + ThreadLocalRandom.current().nextInt(500);
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        while (true) {
                            try {
                                DepositReceipt receipt = lockwise.deposit().depositOnce(request, target.id(),
                                        Money.ofCents(cents));
                                acknowledged.incrementAndGet();
                                acknowledgedCents.addAndGet(receipt.amount().amount().movePointRight(2).longValueExact());
                                break;
                            } catch (DatabaseUnavailableException e) {
                                unavailable.incrementAndGet();
                                if (System.nanoTime() - deadline > 0) {
                                    otherFailures.add("gave up: " + e.getMessage());
                                    break;
                                }
                                Thread.sleep(20);
                            } catch (RuntimeException e) {
                                otherFailures.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                                break;
                            }
                        }
                    }
                    return null;
                }));
            }
            return futures;
        }

        void finish(List<Future<?>> futures) throws Exception {
            stop.set(true);
            for (Future<?> future : futures) {
                future.get(90, TimeUnit.SECONDS);
            }
        }
    }

    private static List<Account> openAccounts(Lockwise lockwise, int count) {
        List<Account> accounts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            accounts.add(lockwise.openAccount().open(new Username("fault-" + i), Money.ZERO));
        }
        return accounts;
    }

    private static void assertExact(DataSource dataSource, Workload workload) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             var row = statement.executeQuery("SELECT coalesce(sum(balance), 0), (SELECT count(*) FROM deposit_request)"
                     + " FROM account")) {
            row.next();
            assertThat(row.getBigDecimal(1)).isEqualByComparingTo(BigDecimal.valueOf(workload.acknowledgedCents.get(), 2));
            assertThat(row.getLong(2)).isEqualTo(workload.acknowledged.get());
        }
        assertThat(workload.otherFailures).as("only clear DatabaseUnavailable errors, all retried").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void terminatingEveryConnectionLosesNothingAndTheProcessCarriesOn(Strategy strategy) throws Exception {
        String appName = "lockwise-fault-" + strategy.label();
        try (HikariDataSource pool = pool(DB.jdbcUrl(), DB.user(), DB.password(), appName);
             Lockwise lockwise = Lockwise.builder(pool).strategy(strategy).build()) {
            List<Account> accounts = openAccounts(lockwise, 3);
            Workload workload = new Workload();
            ExecutorService threads = Executors.newFixedThreadPool(6);
            List<Future<?>> futures = workload.start(threads, lockwise, accounts, 6);
            for (int i = 0; i < 5; i++) {
                Thread.sleep(300);
                DB.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?", appName);
            }
            Thread.sleep(300);
            workload.finish(futures);
            threads.shutdown();

            assertThat(workload.unavailable.get()).as("the faults were felt").isPositive();
            assertExact(pool, workload);
            // No restart needed: the same pool serves the next deposit.
            assertThat(lockwise.deposit().depositTo(accounts.get(0).id(), Money.of("1.00")).balance().isPositive()).isTrue();
        }
    }

    /**
     * Plain deposits (no request id) through the batched strategy while every connection is terminated again and
     * again: a batch's statements fail mid-flight and every member gets the failure. Nothing may be lost (each
     * acknowledged cent is in a balance) or doubled (no more cents than acknowledged plus failed, whose outcome is
     * unknown as for any statement whose answer was lost), and each row's version counts its changes.
     */
    @Test
    void batchedPlainDepositsThroughTerminatedConnectionsLoseNothingAndDoubleNothing() throws Exception {
        String appName = "lockwise-fault-batched-plain";
        CountingEvents counts = new CountingEvents();
        try (HikariDataSource pool = pool(DB.jdbcUrl(), DB.user(), DB.password(), appName);
             Lockwise lockwise = Lockwise.builder(pool).strategy(Strategy.BATCHED).events(counts).build()) {
            List<Account> accounts = openAccounts(lockwise, 5);
            AtomicLong acknowledged = new AtomicLong();
            AtomicLong unknown = new AtomicLong();
            Set<String> otherFailures = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService threads = Executors.newFixedThreadPool(12);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                futures.add(threads.submit(() -> {
                    while (!stop.get()) {
                        Account target = accounts.get(ThreadLocalRandom.current().nextInt(accounts.size()));
                        try {
                            lockwise.deposit().depositTo(target.id(), Money.ofCents(1));
                            acknowledged.incrementAndGet();
                        } catch (DatabaseUnavailableException e) {
                            unknown.incrementAndGet(); // not retried: a plain deposit carries no request id
                            Thread.sleep(5);
                        } catch (RuntimeException e) {
                            otherFailures.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                        }
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 8; i++) {
                Thread.sleep(250);
                DB.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?", appName);
            }
            Thread.sleep(300);
            stop.set(true);
            for (Future<?> future : futures) {
                future.get(90, TimeUnit.SECONDS);
            }
            threads.shutdown();

            assertThat(unknown.get()).as("the faults were felt").isPositive();
            assertThat(counts.count("deposit.batched.attempts")).as("callers shared batches")
                    .isGreaterThan(counts.count("deposit.batched.batches"));
            assertThat(otherFailures).as("only clear DatabaseUnavailable errors").isEmpty();
            try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
                 var row = statement.executeQuery("SELECT sum(balance * 100)::bigint, sum(version) FROM account")) {
                row.next();
                long cents = row.getLong(1);
                assertThat(cents).as("nothing acknowledged was lost").isGreaterThanOrEqualTo(acknowledged.get());
                assertThat(cents).as("nothing was doubled").isLessThanOrEqualTo(acknowledged.get() + unknown.get());
                assertThat(row.getLong(2)).as("one version step per applied deposit").isEqualTo(cents);
            }
        }
    }

    @Test
    void aServerRestartDuringTheWorkloadLosesNothingAndThePoolRecovers() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path data = temp.resolve("pgdata");
        EmbeddedPostgres server = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data)
                .setCleanDataDirectory(false).start();
        String url = "jdbc:postgresql://localhost:" + port + "/postgres";
        try (HikariDataSource pool = pool(url, "postgres", "", "lockwise-restart")) {
            Migrations.apply(pool);
            try (Lockwise lockwise = Lockwise.builder(pool).strategy(Strategy.ADAPTIVE).build()) {
                List<Account> accounts = openAccounts(lockwise, 3);
                Workload workload = new Workload();
                ExecutorService threads = Executors.newFixedThreadPool(4);
                List<Future<?>> futures = workload.start(threads, lockwise, accounts, 4);
                Thread.sleep(700);
                server.close();
                Thread.sleep(700);
                server = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(false)
                        .start();
                Thread.sleep(1_000);
                workload.finish(futures);
                threads.shutdown();

                assertThat(workload.unavailable.get()).as("the restart was felt").isPositive();
                assertExact(pool, workload);
                assertThat(lockwise.deposit().depositTo(accounts.get(1).id(), Money.of("1.00"))).isNotNull();
            }
        } finally {
            server.close();
        }
    }

    /** What a refused statement may take beyond its lock timeout: a few round trips and a retry's backoff. */
    static final Duration SLACK = Duration.ofMillis(500);

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aRowLockedByAnOutsideSessionGivesALockTimeoutWithinTheBoundNeverAHang(Strategy strategy) throws Exception {
        Duration lockTimeout = Duration.ofMillis(300);
        try (Lockwise lockwise = Lockwise.builder(DB.dataSource()).strategy(strategy).lockTimeout(lockTimeout).build()) {
            Account account = lockwise.openAccount().open(new Username("locked-" + strategy.label()), Money.ZERO);
            VerFact fact = lockwise.recordVerFact().record();
            try (Connection psql = DB.unpooled().getConnection(); Statement statement = psql.createStatement()) {
                psql.setAutoCommit(false);
                statement.execute("SELECT * FROM account WHERE id = " + account.id().value() + " FOR UPDATE");
                statement.execute("SELECT * FROM verfact WHERE id = " + fact.id().value() + " FOR UPDATE");
                for (int attempt = 0; attempt < 3; attempt++) { // the adaptive strategy's later attempts take the lock
                    long started = System.nanoTime();
                    assertThatThrownBy(() -> lockwise.deposit().depositTo(account.id(), Money.of("1.00")))
                            .isInstanceOf(LockWaitTimeoutException.class);
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("deposit, attempt " + attempt)
                            .isLessThan(lockTimeout.plus(SLACK));
                    started = System.nanoTime();
                    assertThatThrownBy(() -> lockwise.setAsProcessed().process(fact.id()))
                            .isInstanceOf(LockWaitTimeoutException.class);
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("set as processed, attempt " + attempt)
                            .isLessThan(lockTimeout.plus(SLACK));
                }
                psql.rollback();
            }
            assertThat(lockwise.deposit().depositTo(account.id(), Money.of("1.00")).balance())
                    .as("nothing of the refused deposits was applied").isEqualTo(Money.of("1.00"));
        }
    }

    @Test
    void aLeaseRowLockedByAnOutsideSessionGivesLockUnavailableWithinTheBoundNeverAHang() throws Exception {
        try (Lockwise lockwise = Lockwise.builder(DB.dataSource()).build()) {
            LockId id = new LockId("held-by-psql");
            lockwise.runExclusive().run(id, LeaseTerms.tryOnce(Duration.ofSeconds(1)), lease -> null);
            try (Connection psql = DB.unpooled().getConnection(); Statement statement = psql.createStatement()) {
                psql.setAutoCommit(false);
                statement.execute("SELECT * FROM lockwise_lease WHERE lock_id = 'held-by-psql' FOR UPDATE");
                long started = System.nanoTime();
                assertThatThrownBy(() -> lockwise.runExclusive().run(id, LeaseTerms.tryOnce(Duration.ofSeconds(5))
                        .waitingUpTo(Duration.ofSeconds(1)), lease -> null))
                        .isInstanceOf(LockUnavailableException.class);
                // Bound: the wait, plus at most ¾ of the last attempt's floor (2 s) that the server lets it wait.
                assertThat(Duration.ofNanos(System.nanoTime() - started))
                        .isLessThan(Duration.ofSeconds(1).plus(Duration.ofMillis(1_500)).plus(SLACK));
                psql.rollback();
            }
        }
    }

}
