package dev.lockwise.reliability;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.testing.PgBouncer;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Nothing session-scoped outlives a transaction: after every strategy, exactly-once deposits and the lease lock have
 * run with many clients, the server connections they used carry no changed setting, no prepared statement and no
 * open transaction. Direct, this checks the pool's connections; through PgBouncer in transaction mode (the
 * {@code pgbouncer} profile), it checks server connections that other clients are handed next — where a leak would
 * reach another client.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolerHygieneIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(16);

    private static String setting(Connection connection, String name) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SHOW " + name)) {
            row.next();
            return row.getString(1);
        }
    }

    @Test
    @Order(1)
    void afterEveryStrategyAndTheLeaseLockNoServerConnectionCarriesASettingAPreparedStatementOrATransaction()
            throws Exception {
        String defaultLockTimeout;
        try (Connection connection = DB.unpooled().getConnection()) {
            defaultLockTimeout = setting(connection, "lock_timeout");
        }
        ExecutorService callers = Executors.newFixedThreadPool(16);
        List<Future<?>> work = new ArrayList<>();
        for (Strategy strategy : Strategy.values()) {
            Lockwise lockwise = Lockwise.builder(DB.dataSource()).strategy(strategy)
                    .lockTimeout(Duration.ofMillis(1_234)).build();
            Account account = lockwise.openAccount().open(new Username("hygiene-" + strategy.label()), Money.ZERO);
            for (int caller = 0; caller < 16; caller++) {
                int id = caller;
                work.add(callers.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        lockwise.deposit().depositTo(account.id(), Money.of("1.00"));
                        lockwise.deposit().depositOnce(new RequestId(strategy.label() + "-" + id + "-" + i),
                                account.id(), Money.of("1.00"));
                    }
                    lockwise.runExclusive().run(new LockId("hygiene-" + strategy.label() + "-" + id % 4),
                            LeaseTerms.tryOnce(Duration.ofSeconds(3)).waitingUpTo(Duration.ofSeconds(30)),
                            lease -> null);
                    return null;
                }));
            }
            for (Future<?> future : work) {
                future.get(2, TimeUnit.MINUTES);
            }
            work.clear();
            lockwise.close();
            assertThat((BigDecimal) DB.queryValue("SELECT balance FROM account WHERE id = ?", account.id().value()))
                    .isEqualByComparingTo("640.00");
        }
        callers.shutdown();
        // The pool's own connections, which the adapters used: their bound was local to each transaction.
        List<Connection> used = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                used.add(DB.dataSource().getConnection());
                assertThat(setting(used.get(i), "lock_timeout")).isEqualTo(defaultLockTimeout);
            }
        } finally {
            for (Connection connection : used) {
                connection.close();
            }
        }
        // Every server connection, as the next client gets it: the lock timeout the adapters set (1234 ms) must not
        // be there, nor a prepared statement, nor an open transaction.
        try (HikariDataSource fresh = DB.newPool(32)) {
            List<Connection> connections = new ArrayList<>();
            try {
                for (int i = 0; i < 32; i++) {
                    Connection connection = fresh.getConnection();
                    connections.add(connection);
                    assertThat(setting(connection, "lock_timeout")).isEqualTo(defaultLockTimeout);
                    try (Statement statement = connection.createStatement();
                         ResultSet row = statement.executeQuery("SELECT count(*) FROM pg_prepared_statements")) {
                        row.next();
                        assertThat(row.getLong(1)).as("server-side prepared statements").isZero();
                    }
                }
            } finally {
                for (Connection connection : connections) {
                    connection.close();
                }
            }
        }
        assertThat(DB.queryValue("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND state LIKE 'idle in transaction%'")).isEqualTo(0L);
    }

    /** Runs last: it leaves server-side prepared statements on PgBouncer's server connections, which is the point. */
    @Test
    @Order(2)
    void throughPgBouncerPgJdbcsDefaultServerSidePreparedStatementsBreakWhichIsWhyPrepareThresholdIsZero()
            throws Exception {
        Optional<PgBouncer> pooler = DB.server().pooler();
        assumeTrue(pooler.isPresent(), "only through PgBouncer (./mvnw verify -Ptopologies)");
        String url = pooler.get().jdbcUrl(DB.databaseName()).replace("prepareThreshold=0", "prepareThreshold=1");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(DB.user());
        config.setPassword(DB.password());
        config.setMaximumPoolSize(32);
        try (HikariDataSource defaults = new HikariDataSource(config)) {
            ExecutorService clients = Executors.newFixedThreadPool(32);
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < 32; c++) {
                futures.add(clients.submit(() -> {
                    try (Connection connection = defaults.getConnection()) {
                        for (int i = 0; i < 50; i++) {
                            try (PreparedStatement statement = connection.prepareStatement("SELECT ?::int + 1")) {
                                statement.setInt(1, i);
                                statement.executeQuery().close();
                            }
                        }
                    }
                    return null;
                }));
            }
            assertThatThrownBy(() -> {
                for (Future<?> future : futures) {
                    future.get(1, TimeUnit.MINUTES);
                }
            }).hasStackTraceContaining("prepared statement");
            clients.shutdownNow();
        }
    }
}
