package dev.lockwise.adapter.lock;

import com.zaxxer.hikari.HikariDataSource;
import dev.lockwise.db.Migrations;
import dev.lockwise.domain.DatabaseUnavailableException;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.testing.FreezableProxy;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdbcLeaseLockIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(8);

    private static final Duration SHORT = Duration.ofMillis(300);
    private static final Duration BOUND = Duration.ofSeconds(2);
    private JdbcLeaseLock lock;
    private final LockId id = new LockId("nightly-report");

    @BeforeEach
    void setUp() {
        DB.truncateAll();
        lock = new JdbcLeaseLock(DB.dataSource(), LeaseTable.DEFAULT);
    }

    @AfterEach
    void tearDown() {
        lock.close();
    }

    @Test
    void aFreeLeaseIsTakenWithGenerationOneAndAHeldOneIsNot() {
        Lease lease = lock.tryAcquire(id, Duration.ofSeconds(30), BOUND).orElseThrow();
        assertThat(lease.generation()).isEqualTo(1);
        assertThat(lock.tryAcquire(id, Duration.ofSeconds(30), BOUND)).isEmpty();
        assertThat(lock.tryAcquire(new LockId("another job"), Duration.ofSeconds(30), BOUND)).isPresent();
    }

    @Test
    void expiryIsComputedByTheDatabaseClock() {
        Instant before = ((Timestamp) DB.queryValue("SELECT clock_timestamp()")).toInstant();
        Lease lease = lock.tryAcquire(id, Duration.ofSeconds(60), BOUND).orElseThrow();
        Instant after = ((Timestamp) DB.queryValue("SELECT clock_timestamp()")).toInstant();
        assertThat(lease.expiresAt()).isBetween(before.plusSeconds(60), after.plusSeconds(60));
    }

    @Test
    void aCrashedHolderThatStopsRenewingIsTakenOverAfterExpiryWithAHigherGeneration() throws Exception {
        Lease crashed = lock.tryAcquire(id, SHORT, BOUND).orElseThrow();
        assertThat(lock.tryAcquire(id, SHORT, BOUND)).isEmpty();
        Thread.sleep(SHORT.toMillis() + 50);
        Lease next = lock.tryAcquire(id, SHORT, BOUND).orElseThrow();
        assertThat(next.generation()).isGreaterThan(crashed.generation());
    }

    @Test
    void aStaleHolderCanNeitherRenewNorReleaseTheNewHoldersLease() throws Exception {
        Lease stale = lock.tryAcquire(id, SHORT, BOUND).orElseThrow();
        Thread.sleep(SHORT.toMillis() + 50);
        Lease current = lock.tryAcquire(id, Duration.ofSeconds(30), BOUND).orElseThrow();

        assertThat(lock.renew(stale, Duration.ofSeconds(30), BOUND)).isEmpty();
        assertThat(lock.release(stale, BOUND)).isFalse();

        assertThat(lock.tryAcquire(id, Duration.ofSeconds(30), BOUND)).as("still held by the new holder").isEmpty();
        assertThat(lock.renew(current, Duration.ofSeconds(30), BOUND)).isPresent();
    }

    @Test
    void releaseFreesTheLeaseAtOnceAndGenerationsKeepGrowing() {
        Lease first = lock.tryAcquire(id, Duration.ofMinutes(5), BOUND).orElseThrow();
        assertThat(lock.release(first, BOUND)).isTrue();
        assertThat(lock.release(first, BOUND)).as("a second release finds nothing to free").isFalse();
        Lease second = lock.tryAcquire(id, Duration.ofMinutes(5), BOUND).orElseThrow();
        assertThat(second.generation()).isEqualTo(first.generation() + 1);
    }

    @Test
    void renewalExtendsTheSameGeneration() throws Exception {
        Lease lease = lock.tryAcquire(id, SHORT, BOUND).orElseThrow();
        Thread.sleep(100);
        Lease renewed = lock.renew(lease, Duration.ofSeconds(30), BOUND).orElseThrow();
        assertThat(renewed.generation()).isEqualTo(lease.generation());
        assertThat(renewed.expiresAt()).isAfter(lease.expiresAt());
    }

    @Test
    void aHolderWhoseConnectionsAreTerminatedIsTakenOverAfterExpiry() throws Exception {
        Lease lease = lock.tryAcquire(id, SHORT, BOUND).orElseThrow();
        terminateEveryOtherSession();
        Thread.sleep(SHORT.toMillis() + 50);
        Optional<Lease> next = lock.tryAcquire(id, SHORT, BOUND);
        assertThat(next).isPresent();
        assertThat(next.get().generation()).isGreaterThan(lease.generation());
    }

    @Test
    void aFencedWriteSucceedsWhileTheLeaseIsHeldAndIsRefusedOnceItIsTakenOver() throws Exception {
        for (int i = 0; i < 5; i++) {
            DB.execute("INSERT INTO verfact DEFAULT VALUES");
        }
        FencedJdbcVerFactProcessor processor = new FencedJdbcVerFactProcessor(DB.dataSource(), LeaseTable.DEFAULT);
        Lease paused = lock.tryAcquire(id, SHORT, BOUND).orElseThrow();
        assertThat(processor.processPending(paused, 2)).isEqualTo(2);

        Thread.sleep(SHORT.toMillis() + 50);
        Lease successor = lock.tryAcquire(id, Duration.ofSeconds(30), BOUND).orElseThrow();

        assertThatThrownBy(() -> processor.processPending(paused, 2)).isInstanceOf(LeaseLostException.class);
        assertThat(processor.processPending(successor, 10)).isEqualTo(3);
        assertThat(DB.queryValue("SELECT count(*) FROM verfact WHERE processed AND version = 2")).isEqualTo(5L);
    }

    @Test
    void aFencedWriteWaitsForALockedLeaseRowNoLongerThanItsLockTimeout() throws Exception {
        DB.execute("INSERT INTO verfact DEFAULT VALUES");
        Lease held = lock.tryAcquire(id, Duration.ofMinutes(1), BOUND).orElseThrow();
        FencedJdbcVerFactProcessor processor = new FencedJdbcVerFactProcessor(DB.dataSource(), LeaseTable.DEFAULT,
                Duration.ofMillis(500));
        try (Connection outside = DB.dataSource().getConnection()) {
            outside.setAutoCommit(false);
            outside.createStatement().execute("SELECT * FROM lockwise_lease WHERE lock_id = 'nightly-report' FOR UPDATE");
            long started = System.nanoTime();
            assertThatThrownBy(() -> processor.processPending(held, 1)).isInstanceOf(LockWaitTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(400),
                    Duration.ofSeconds(3));
            outside.rollback();
        }
        assertThat(processor.processPending(held, 1)).isEqualTo(1);
    }

    @Test
    void customMigrationsModeExplainsAMissingOrWrongTable() {
        LeaseTable missing = new LeaseTable("public", "not_there");
        assertThatThrownBy(() -> LeaseTableCheck.verify(DB.dataSource(), missing))
                .isInstanceOf(LeaseTableCheck.LeaseTableMismatchException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("CREATE TABLE \"public\".\"not_there\"")
                .hasMessageContaining("expires_at TIMESTAMPTZ NOT NULL");

        DB.execute("CREATE TABLE wrong_leases (lock_id text PRIMARY KEY, generation int, expires_at timestamp)");
        assertThatThrownBy(() -> LeaseTableCheck.verify(DB.dataSource(), new LeaseTable("public", "wrong_leases")))
                .isInstanceOf(LeaseTableCheck.LeaseTableMismatchException.class)
                .hasMessageContaining("generation of type integer, expected bigint");

        LeaseTable own = new LeaseTable("ops", "own_leases");
        DB.execute("CREATE SCHEMA ops");
        DB.execute(LeaseTableCheck.expectedDdl(own));
        LeaseTableCheck.verify(DB.dataSource(), own);
        try (JdbcLeaseLock custom = new JdbcLeaseLock(DB.dataSource(), own)) {
            assertThat(custom.tryAcquire(id, SHORT, BOUND)).isPresent();
        }
    }

    @Test
    void theLockWorksOnAMigratedTableWithAnotherSchemaAndName() {
        LeaseTable table = new LeaseTable("locks", "job_leases");
        Migrations.applyLeaseTable(DB.dataSource(), table);
        try (JdbcLeaseLock other = new JdbcLeaseLock(DB.dataSource(), table)) {
            assertThat(other.tryAcquire(id, SHORT, BOUND)).isPresent();
        }
        assertThat(DB.queryValue("SELECT count(*) FROM locks.job_leases")).isEqualTo(1L);
    }

    @Test
    void anAcquisitionThatWaitedOnTheRowLockGetsAnExpiryComputedWhenItWroteTheRow() throws Exception {
        Lease expired = lock.tryAcquire(id, Duration.ofMillis(100), BOUND).orElseThrow();
        Thread.sleep(150);
        Instant releasedAt;
        try (Connection outside = DB.dataSource().getConnection()) {
            outside.setAutoCommit(false);
            outside.createStatement().execute("SELECT * FROM lockwise_lease WHERE lock_id = 'nightly-report' FOR UPDATE");
            CompletableFuture<Optional<Lease>> acquiring = CompletableFuture.supplyAsync(
                    () -> lock.tryAcquire(id, Duration.ofMillis(500), Duration.ofSeconds(5)));
            Thread.sleep(800); // longer than the ttl: an expiry computed before the wait would already be past
            releasedAt = ((Timestamp) DB.queryValue("SELECT clock_timestamp()")).toInstant();
            outside.commit();
            Lease acquired = acquiring.get(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(acquired.generation()).isEqualTo(expired.generation() + 1);
            assertThat(acquired.expiresAt()).as("ttl counted from the write, after the wait")
                    .isAfter(releasedAt.plusMillis(500));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"acquire", "renew"})
    void aStatementWaitingOnARowLockIsEndedByTheServerWithinItsBoundAndTheConnectionIsKept(String call)
            throws Exception {
        Lease held = lock.tryAcquire(id, Duration.ofMinutes(1), BOUND).orElseThrow();
        try (Connection outside = DB.dataSource().getConnection()) {
            outside.setAutoCommit(false);
            outside.createStatement().execute("SELECT * FROM lockwise_lease WHERE lock_id = 'nightly-report' FOR UPDATE");
            long started = System.nanoTime();
            CompletableFuture<Object> blocked = CompletableFuture.supplyAsync(() -> call.equals("acquire")
                    ? lock.tryAcquire(id, Duration.ofSeconds(5), Duration.ofSeconds(2))
                    : lock.renew(held, Duration.ofSeconds(5), Duration.ofSeconds(2)));
            Object waiting = awaitValue("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND wait_event_type = 'Lock'");
            // A cancellation by the server is a lock-wait timeout (SQLSTATE 55P03); the watchdog's abort at the
            // deadline would be "database unavailable" and cost the connection.
            assertThatThrownBy(() -> blocked.get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(LockWaitTimeoutException.class);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(took).as("ended by the server's lock_timeout, three quarters of the bound")
                    .isBetween(Duration.ofMillis(1_400), Duration.ofSeconds(2));
            outside.rollback();
            assertThat(DB.queryValue("SELECT state FROM pg_stat_activity WHERE pid = ?", waiting))
                    .as("the waiting session lives on, idle").isEqualTo("idle");
        }
        assertThat(lock.renew(held, Duration.ofMinutes(1), BOUND)).as("and the lease is still ours").isPresent();
    }

    /** Ends every session on the database but this one; the test pool then drops what it held. */
    private static void terminateEveryOtherSession() {
        DB.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND pid <> pg_backend_pid() AND backend_type = 'client backend'");
        DB.dataSource().getHikariPoolMXBean().softEvictConnections();
    }

    private static Object awaitValue(String sql) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            List<Object[]> rows = DB.query(sql);
            if (!rows.isEmpty()) {
                return rows.get(0)[0];
            }
            assertThat(System.nanoTime()).as("waiting for: " + sql).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void aStatementOnABlackHoledConnectionFailsAtItsDeadline() throws Exception {
        try (FreezableProxy proxy = FreezableProxy.inFrontOf(DB.jdbcUrl());
             HikariDataSource throughProxy = poolThrough(proxy);
             JdbcLeaseLock frozen = new JdbcLeaseLock(throughProxy, LeaseTable.DEFAULT)) {
            Lease held = frozen.tryAcquire(id, Duration.ofMinutes(1), BOUND).orElseThrow();
            proxy.freeze();
            long started = System.nanoTime();
            assertThatThrownBy(() -> frozen.renew(held, Duration.ofMinutes(1), Duration.ofMillis(500)))
                    .isInstanceOf(DatabaseUnavailableException.class).hasMessageContaining("no answer");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the bound, plus the watchdog's tick")
                    .isBetween(Duration.ofMillis(500), Duration.ofSeconds(2));
            proxy.heal();
        }
    }

    private static HikariDataSource poolThrough(FreezableProxy proxy) {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl(proxy.jdbcUrl());
        config.setUsername(DB.user());
        config.setPassword(DB.password());
        config.setMaximumPoolSize(2);
        return new HikariDataSource(config);
    }

    @Test
    void noSessionSettingIsChanged() throws Exception {
        HikariDataSource single = DB.newPool(1);
        try (JdbcLeaseLock own = new JdbcLeaseLock(single, LeaseTable.DEFAULT)) {
            Lease lease = own.tryAcquire(id, Duration.ofSeconds(5), Duration.ofMillis(200)).orElseThrow();
            own.renew(lease, Duration.ofSeconds(5), Duration.ofMillis(200)).orElseThrow();
            own.release(lease, Duration.ofMillis(200));
        }
        try (Connection same = single.getConnection(); Statement statement = same.createStatement();
             var row = statement.executeQuery("SELECT current_setting('statement_timeout'),"
                     + " current_setting('lock_timeout')")) {
            row.next();
            assertThat(row.getString(1)).isEqualTo("0");
            assertThat(row.getString(2)).isEqualTo("0");
        } finally {
            single.close();
        }
    }

    @Test
    void aReservedConnectionThatDiedWhileIdleIsReplacedWithinTheSameCall() {
        lock.release(lock.tryAcquire(id, SHORT, BOUND).orElseThrow(), BOUND);
        terminateEveryOtherSession();
        assertThat(lock.tryAcquire(id, SHORT, BOUND)).isPresent();
    }

    @Test
    void callsRefuseABoundTooSmallToMean() {
        assertThatThrownBy(() -> lock.tryAcquire(id, SHORT, Duration.ZERO)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("timeout");
        assertThat(DB.queryValue("SELECT count(*) FROM lockwise_lease")).isEqualTo(0L);
    }
}
