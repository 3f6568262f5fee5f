package dev.lockwise.lease;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.lockwise.adapter.lock.JdbcLeaseLock;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLock;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.testing.FreezableProxy;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLTransientConnectionException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lease under the faults that are common in production, against a real PostgreSQL: a connection frozen by the
 * network (a {@link FreezableProxy} that holds every byte), the host's pool exhausted by other work, many leases in
 * one process with some of them stuck, an acquisition that waited on a row lock. Signs of life are written by the
 * holder through a second, healthy pool and <em>without</em> a fence, so that nothing but the holder's own deadline
 * keeps them from overlapping the next holder's.
 */
class LeaseFaultsIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(24);

    @BeforeAll
    static void createTheLifeTable() {
        DB.execute("CREATE TABLE sign_of_life (who text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())");
    }

    @BeforeEach
    void clean() {
        DB.truncateAll();
        DB.execute("TRUNCATE sign_of_life");
    }

    private static HikariDataSource pool(String url, int size, Duration connectionTimeout) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(DB.user());
        config.setPassword(DB.password());
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    private static void life(String who) {
        DB.execute("INSERT INTO sign_of_life (who) VALUES (?)", who);
    }

    private static Timestamp lastLife(String who) {
        return (Timestamp) DB.queryValue("SELECT max(at)::timestamp FROM sign_of_life WHERE who = ?", who);
    }

    private static Timestamp firstLife(String who) {
        return (Timestamp) DB.queryValue("SELECT min(at)::timestamp FROM sign_of_life WHERE who = ?", who);
    }

    /** Beats until interrupted; records the interruption; rethrows it. */
    private static Object beatUntilInterrupted(String who) throws InterruptedException {
        try {
            while (true) {
                life(who);
                Thread.sleep(20);
            }
        } catch (InterruptedException interrupted) {
            life(who + " interrupted");
            throw interrupted;
        }
    }

    @Test
    void aHolderWhoseConnectionFreezesIsInterruptedBeforeTheDatabaseExpiryAndTheNextHolderStartsAfterItsLastSignOfLife()
            throws Exception {
        LockId id = new LockId("frozen-holder");
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(1_500), Duration.ofMillis(300), Duration.ZERO);
        CountDownLatch frozen = new CountDownLatch(1);
        try (FreezableProxy proxy = FreezableProxy.inFrontOf(DB.jdbcUrl());
             HikariDataSource throughProxy = pool(proxy.jdbcUrl(), 4, Duration.ofSeconds(30));
             JdbcLeaseLock holderLock = new JdbcLeaseLock(throughProxy, LeaseTable.DEFAULT);
             JdbcLeaseLock contenderLock = new JdbcLeaseLock(DB.dataSource(), LeaseTable.DEFAULT)) {
            LockwiseEvents freezeAfterARenewal = new LockwiseEvents() {
                @Override
                public void leaseRenewed(Lease lease, Duration took) {
                    proxy.freeze(); // right after a renewal: the longest the lease can stay valid
                    frozen.countDown();
                }
            };
            RunExclusive holderRunner = new RunExclusive(holderLock, freezeAfterARenewal);
            RunExclusive contenderRunner = new RunExclusive(contenderLock, LockwiseEvents.NONE);
            try {
                CompletableFuture<Object> holder = CompletableFuture.supplyAsync(RunExclusiveIT.unchecked(
                        () -> holderRunner.run(id, terms, lease -> beatUntilInterrupted("holder"))));
                assertThat(frozen.await(10, TimeUnit.SECONDS)).isTrue();
                Timestamp databaseExpiry = (Timestamp) DB.queryValue(
                        "SELECT expires_at::timestamp FROM lockwise_lease WHERE lock_id = ? AND generation = 1",
                        id.value());

                long generation = contenderRunner.run(id, terms.waitingUpTo(Duration.ofSeconds(20)), lease -> {
                    life("contender");
                    return lease.generation();
                });

                assertThatThrownBy(() -> holder.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(LeaseLostException.class);
                assertThat(generation).isEqualTo(2);
                Timestamp interrupted = lastLife("holder interrupted");
                assertThat(interrupted).as("the holder was interrupted before the database's expiry")
                        .isBefore(databaseExpiry);
                assertThat(lastLife("holder")).as("the holder's last sign of life precedes the next holder's start")
                        .isBefore(firstLife("contender"));
                assertThat(proxy.acceptedConnections()).isPositive();
            } finally {
                proxy.heal();
                holderRunner.close();
                contenderRunner.close();
            }
        }
    }

    @Test
    void leasesKeepRenewingWhileTheHostsWorkHoldsEveryConnectionOfTheSharedPool() throws Exception {
        AtomicInteger renewals = new AtomicInteger();
        LockwiseEvents counting = new LockwiseEvents() {
            @Override
            public void leaseRenewed(Lease lease, Duration took) {
                renewals.incrementAndGet();
            }
        };
        List<Connection> hogged = new ArrayList<>();
        try (HikariDataSource shared = pool(DB.jdbcUrl(), 4, Duration.ofMillis(250));
             JdbcLeaseLock lock = new JdbcLeaseLock(shared, LeaseTable.DEFAULT);
             RunExclusive runner = new RunExclusive(lock, counting)) {
            LeaseTerms terms = new LeaseTerms(Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ZERO);
            String result = runner.run(new LockId("busy-host"), terms, lease -> {
                while (true) { // the host's work takes every connection the pool will give, and keeps them
                    try {
                        hogged.add(shared.getConnection());
                    } catch (SQLTransientConnectionException exhausted) {
                        break;
                    }
                }
                int before = renewals.get();
                Thread.sleep(2_500);
                return "renewed " + (renewals.get() - before) + " times";
            });
            assertThat(hogged).as("the host's work took connections").isNotEmpty();
            assertThat(shared.getHikariPoolMXBean().getIdleConnections()).as("pool exhausted").isZero();
            assertThat(renewals.get()).as(result).isGreaterThanOrEqualTo(8);
        } finally {
            for (Connection connection : hogged) {
                connection.close();
            }
        }
    }

    @Test
    void withADataSourceOfItsOwnTheLeaseIsTakenAndHeldWhileTheHostsPoolIsExhausted() throws Exception {
        List<Connection> hogged = new ArrayList<>();
        try (HikariDataSource hosts = pool(DB.jdbcUrl(), 3, Duration.ofMillis(250));
             HikariDataSource leases = pool(DB.jdbcUrl(), 2, Duration.ofSeconds(5));
             Lockwise lockwise = Lockwise.builder(hosts).leaseDataSource(leases).build()) {
            while (true) {
                try {
                    hogged.add(hosts.getConnection());
                } catch (SQLTransientConnectionException exhausted) {
                    break;
                }
            }
            long generation = lockwise.runExclusive().run(new LockId("apart"),
                    new LeaseTerms(Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ZERO), lease -> {
                        Thread.sleep(1_500);
                        return lease.generation();
                    });
            assertThat(generation).isEqualTo(1);
            assertThat(hogged).hasSize(3);
        } finally {
            for (Connection connection : hogged) {
                connection.close();
            }
        }
    }

    @Test
    void sixtyFourLeasesInOneProcessWithTwoFrozenHaveNoFalseLossAmongTheOtherSixtyTwo() throws Exception {
        int leases = 64;
        LeaseTerms terms = new LeaseTerms(Duration.ofSeconds(2), Duration.ofMillis(400), Duration.ZERO);
        try (FreezableProxy proxy = FreezableProxy.inFrontOf(DB.jdbcUrl());
             HikariDataSource throughProxy = pool(proxy.jdbcUrl(), 4, Duration.ofSeconds(30));
             JdbcLeaseLock frozenLock = new JdbcLeaseLock(throughProxy, LeaseTable.DEFAULT);
             JdbcLeaseLock healthyLock = new JdbcLeaseLock(DB.dataSource(), LeaseTable.DEFAULT)) {
            // One RunExclusive for all 64 (its timer and renewal threads are shared); the two "frozen-" leases reach
            // the database through the proxy.
            LeaseLock routing = new RoutingLock(healthyLock, frozenLock);
            Map<String, AtomicInteger> renewed = new ConcurrentHashMap<>();
            LockwiseEvents counting = new LockwiseEvents() {
                @Override
                public void leaseRenewed(Lease lease, Duration took) {
                    renewed.computeIfAbsent(lease.lockId().value(), k -> new AtomicInteger()).incrementAndGet();
                }
            };
            RunExclusive runner = new RunExclusive(routing, counting);
            try {
                CountDownLatch allHeld = new CountDownLatch(leases);
                CountDownLatch frozen = new CountDownLatch(1);
                List<CompletableFuture<String>> runs = new ArrayList<>();
                for (int i = 0; i < leases; i++) {
                    String name = (i < 2 ? "frozen-" : "healthy-") + i;
                    runs.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return runner.run(new LockId(name), terms, lease -> {
                                allHeld.countDown();
                                frozen.await();
                                Thread.sleep(4_000); // two ttls
                                return "done";
                            });
                        } catch (LeaseLostException lost) {
                            return "lost";
                        } catch (Exception e) {
                            return e.toString();
                        }
                    }, command -> new Thread(command).start()));
                }
                assertThat(allHeld.await(30, TimeUnit.SECONDS)).isTrue();
                proxy.freeze();
                frozen.countDown();
                for (int i = 0; i < leases; i++) {
                    String expected = i < 2 ? "lost" : "done";
                    assertThat(runs.get(i).get(30, TimeUnit.SECONDS)).as("lease %d", i).isEqualTo(expected);
                }
                for (int i = 2; i < leases; i++) {
                    assertThat(renewed.get("healthy-" + i)).as("renewals of lease %d", i).hasValueGreaterThan(5);
                }
            } finally {
                proxy.heal();
                runner.close();
            }
        }
    }

    @Test
    void anAcquisitionThatWaitedOnTheRowLockHasALocalDeadlineNoLaterThanTheExpiryTheDatabaseRecorded()
            throws Exception {
        LockId id = new LockId("row-locked");
        LeaseTerms terms = new LeaseTerms(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(20));
        try (JdbcLeaseLock lock = new JdbcLeaseLock(DB.dataSource(), LeaseTable.DEFAULT);
             RunExclusive runner = new RunExclusive(lock, LockwiseEvents.NONE)) {
            lock.tryAcquire(id, Duration.ofMillis(100), Duration.ofSeconds(2)).orElseThrow();
            Thread.sleep(150); // expired, but its row stays
            AtomicReference<Timestamp> outsideCommitted = new AtomicReference<>();
            CountDownLatch locked = new CountDownLatch(1);
            CompletableFuture<Object> outside = CompletableFuture.supplyAsync(RunExclusiveIT.unchecked(() -> {
                try (Connection session = DB.dataSource().getConnection()) {
                    session.setAutoCommit(false);
                    session.createStatement().execute("SELECT * FROM lockwise_lease WHERE lock_id = 'row-locked'"
                            + " FOR UPDATE");
                    locked.countDown();
                    Thread.sleep(2_500); // longer than an acquisition attempt may wait: one fails, the next waits
                    outsideCommitted.set((Timestamp) DB.queryValue("SELECT clock_timestamp()::timestamp"));
                    session.commit();
                }
                return null;
            }));
            assertThat(locked.await(5, TimeUnit.SECONDS)).isTrue();
            Object[] seen = runner.run(id, terms, lease -> {
                Duration local = runner.remainingValidity(lease);         // read first ...
                BigDecimal database = (BigDecimal) DB.queryValue(        // ... the database's second
                        "SELECT extract(epoch FROM expires_at - clock_timestamp()) FROM lockwise_lease"
                                + " WHERE lock_id = ? AND generation = ?", id.value(), lease.generation());
                Timestamp started = (Timestamp) DB.queryValue("SELECT clock_timestamp()::timestamp");
                return new Object[] {local, database, started, lease.generation()};
            });
            outside.get(5, TimeUnit.SECONDS);
            Duration local = (Duration) seen[0];
            Duration database = Duration.ofNanos(((BigDecimal) seen[1]).movePointRight(9).longValue());
            assertThat((Timestamp) seen[2]).as("it did wait for the outside session").isAfter(outsideCommitted.get());
            assertThat((Long) seen[3]).isEqualTo(2L);
            assertThat(local).as("the holder's deadline is not later than the database's expiry").isPositive()
                    .isLessThanOrEqualTo(database);
            assertThat(database.minus(local)).as("it is earlier by the margin at least (less the time between the"
                    + " two readings)").isGreaterThanOrEqualTo(terms.margin().minusMillis(100));
        }
    }

    /** Lock ids starting with "frozen-" go to one lock, the rest to another. */
    private record RoutingLock(LeaseLock healthy, LeaseLock frozen) implements LeaseLock {
        private LeaseLock route(LockId lockId) {
            return lockId.value().startsWith("frozen-") ? frozen : healthy;
        }

        @Override
        public Optional<Lease> tryAcquire(LockId lockId, Duration ttl, Duration timeout) {
            return route(lockId).tryAcquire(lockId, ttl, timeout);
        }

        @Override
        public Optional<Lease> renew(Lease lease, Duration ttl, Duration timeout) {
            return route(lease.lockId()).renew(lease, ttl, timeout);
        }

        @Override
        public boolean release(Lease lease, Duration timeout) {
            return route(lease.lockId()).release(lease, timeout);
        }
    }
}
