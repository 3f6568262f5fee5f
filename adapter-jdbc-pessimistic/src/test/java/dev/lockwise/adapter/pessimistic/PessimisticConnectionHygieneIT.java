package dev.lockwise.adapter.pessimistic;

import com.zaxxer.hikari.HikariDataSource;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every failing path closes its statements and rolls back: no leaked connection, no idle-in-transaction session. */
class PessimisticConnectionHygieneIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(4);

    @Test
    void aBurstOfFailingCallsLeavesNoActiveConnectionAndNoOpenTransaction() throws Exception {
        HikariDataSource pool = DB.newPool(4);
        try (pool) {
            PessimisticAccountRepository accounts = new PessimisticAccountRepository(pool, Duration.ofMillis(100));
            PessimisticVerFactRepository facts = new PessimisticVerFactRepository(pool, Duration.ofMillis(100));
            Account held = accounts.open(new Username("held"), Money.of("1"));
            Account free = accounts.open(new Username("free"), Money.of("1"));
            VerFact fact = facts.insert();

            try (Connection blocker = DB.unpooled().getConnection(); Statement lock = blocker.createStatement()) {
                blocker.setAutoCommit(false);
                lock.execute("SELECT * FROM account WHERE id = " + held.id().value() + " FOR UPDATE");
                lock.execute("SELECT * FROM verfact WHERE id = " + fact.id().value() + " FOR UPDATE");
                for (int i = 0; i < 20; i++) {
                    long started = System.nanoTime();
                    assertThatThrownBy(() -> accounts.update(held.id(), a -> a.deposit(Money.of("1"))))
                            .isInstanceOf(LockWaitTimeoutException.class);
                    // The lock timeout (100 ms) and 500 ms for the round trips on a busy machine.
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(600));
                    started = System.nanoTime();
                    assertThatThrownBy(() -> facts.update(fact.id(), VerFact::process))
                            .isInstanceOf(LockWaitTimeoutException.class);
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(600));
                    assertThatThrownBy(() -> accounts.update(new AccountId(999_999), a -> a.deposit(Money.of("1"))))
                            .isInstanceOf(AccountNotFoundException.class);
                    assertThatThrownBy(() -> accounts.update(free.id(), a -> {
                        throw new IllegalStateException("a change that fails");
                    })).isInstanceOf(IllegalStateException.class);
                }
                blocker.rollback();
            }

            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
            assertThat(DB.queryValue("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND state LIKE 'idle in transaction%'")).isEqualTo(0L);
            Account after = accounts.find(held.id()).orElseThrow();
            assertThat(after.balance()).isEqualTo(Money.of("1.00"));
            assertThat(after.version()).isZero();
            // And the pool still works.
            assertThat(accounts.update(held.id(), a -> a.deposit(Money.of("2"))).after().balance())
                    .isEqualTo(Money.of("3.00"));
        }
    }

    @Test
    void anAbsurdLockTimeoutIsRefused() {
        assertThatThrownBy(() -> new PessimisticAccountRepository(DB.dataSource(), Duration.ofHours(2)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("lock timeout");
        assertThatThrownBy(() -> new PessimisticAccountRepository(DB.dataSource(), Duration.ofMillis(-1)))
                .isInstanceOf(InvalidInputException.class);
    }
}
