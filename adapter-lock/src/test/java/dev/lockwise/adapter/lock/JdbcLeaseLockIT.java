package dev.lockwise.adapter.lock;

import dev.lockwise.db.Migrations;
import dev.lockwise.db.testing.TestDatabase;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LockId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdbcLeaseLockIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(8);

    private static final Duration SHORT = Duration.ofMillis(300);
    private JdbcLeaseLock lock;
    private final LockId id = new LockId("nightly-report");

    @BeforeEach
    void setUp() {
        DB.truncateAll();
        lock = new JdbcLeaseLock(DB.dataSource(), LeaseTable.DEFAULT);
    }

    @Test
    void aFreeLeaseIsTakenWithGenerationOneAndAHeldOneIsNot() {
        Lease lease = lock.tryAcquire(id, Duration.ofSeconds(30)).orElseThrow();
        assertThat(lease.generation()).isEqualTo(1);
        assertThat(lock.tryAcquire(id, Duration.ofSeconds(30))).isEmpty();
        assertThat(lock.tryAcquire(new LockId("another job"), Duration.ofSeconds(30))).isPresent();
    }

    @Test
    void expiryIsComputedByTheDatabaseClock() {
        Instant before = ((Timestamp) DB.queryValue("SELECT clock_timestamp()")).toInstant();
        Lease lease = lock.tryAcquire(id, Duration.ofSeconds(60)).orElseThrow();
        Instant after = ((Timestamp) DB.queryValue("SELECT clock_timestamp()")).toInstant();
        assertThat(lease.expiresAt()).isBetween(before.plusSeconds(60), after.plusSeconds(60));
    }

    @Test
    void aCrashedHolderThatStopsRenewingIsTakenOverAfterExpiryWithAHigherGeneration() throws Exception {
        Lease crashed = lock.tryAcquire(id, SHORT).orElseThrow();
        assertThat(lock.tryAcquire(id, SHORT)).isEmpty();
        Thread.sleep(SHORT.toMillis() + 50);
        Lease next = lock.tryAcquire(id, SHORT).orElseThrow();
        assertThat(next.generation()).isGreaterThan(crashed.generation());
    }

    @Test
    void aStaleHolderCanNeitherRenewNorReleaseTheNewHoldersLease() throws Exception {
        Lease stale = lock.tryAcquire(id, SHORT).orElseThrow();
        Thread.sleep(SHORT.toMillis() + 50);
        Lease current = lock.tryAcquire(id, Duration.ofSeconds(30)).orElseThrow();

        assertThat(lock.renew(stale, Duration.ofSeconds(30))).isEmpty();
        assertThat(lock.release(stale)).isFalse();

        assertThat(lock.tryAcquire(id, Duration.ofSeconds(30))).as("still held by the new holder").isEmpty();
        assertThat(lock.renew(current, Duration.ofSeconds(30))).isPresent();
    }

    @Test
    void releaseFreesTheLeaseAtOnceAndGenerationsKeepGrowing() {
        Lease first = lock.tryAcquire(id, Duration.ofMinutes(5)).orElseThrow();
        assertThat(lock.release(first)).isTrue();
        assertThat(lock.release(first)).as("a second release finds nothing to free").isFalse();
        Lease second = lock.tryAcquire(id, Duration.ofMinutes(5)).orElseThrow();
        assertThat(second.generation()).isEqualTo(first.generation() + 1);
    }

    @Test
    void renewalExtendsTheSameGeneration() throws Exception {
        Lease lease = lock.tryAcquire(id, SHORT).orElseThrow();
        Thread.sleep(100);
        Lease renewed = lock.renew(lease, Duration.ofSeconds(30)).orElseThrow();
        assertThat(renewed.generation()).isEqualTo(lease.generation());
        assertThat(renewed.expiresAt()).isAfter(lease.expiresAt());
    }

    @Test
    void aHolderWhoseConnectionsAreTerminatedIsTakenOverAfterExpiry() throws Exception {
        Lease lease = lock.tryAcquire(id, SHORT).orElseThrow();
        DB.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND pid <> pg_backend_pid()");
        Thread.sleep(SHORT.toMillis() + 50);
        Optional<Lease> next = lock.tryAcquire(id, SHORT);
        assertThat(next).isPresent();
        assertThat(next.get().generation()).isGreaterThan(lease.generation());
    }

    @Test
    void aFencedWriteSucceedsWhileTheLeaseIsHeldAndIsRefusedOnceItIsTakenOver() throws Exception {
        for (int i = 0; i < 5; i++) {
            DB.execute("INSERT INTO verfact DEFAULT VALUES");
        }
        FencedJdbcVerFactProcessor processor = new FencedJdbcVerFactProcessor(DB.dataSource(), LeaseTable.DEFAULT);
        Lease paused = lock.tryAcquire(id, SHORT).orElseThrow();
        assertThat(processor.processPending(paused, 2)).isEqualTo(2);

        Thread.sleep(SHORT.toMillis() + 50);
        Lease successor = lock.tryAcquire(id, Duration.ofSeconds(30)).orElseThrow();

        assertThatThrownBy(() -> processor.processPending(paused, 2)).isInstanceOf(LeaseLostException.class);
        assertThat(processor.processPending(successor, 10)).isEqualTo(3);
        assertThat(DB.queryValue("SELECT count(*) FROM verfact WHERE processed AND version = 2")).isEqualTo(5L);
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
        JdbcLeaseLock custom = new JdbcLeaseLock(DB.dataSource(), own);
        assertThat(custom.tryAcquire(id, SHORT)).isPresent();
    }

    @Test
    void theLockWorksOnAMigratedTableWithAnotherSchemaAndName() {
        LeaseTable table = new LeaseTable("locks", "job_leases");
        Migrations.applyLeaseTable(DB.dataSource(), table);
        JdbcLeaseLock other = new JdbcLeaseLock(DB.dataSource(), table);
        assertThat(other.tryAcquire(id, SHORT)).isPresent();
        assertThat(DB.queryValue("SELECT count(*) FROM locks.job_leases")).isEqualTo(1L);
    }
}
