package dev.lockwise.reliability;

import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.domain.LockwiseException;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.testing.TestDatabase;
import dev.lockwise.testing.TransactionCheckingDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * No strategy, and no failing call, gives a connection back with a transaction open or leaks one: checked as each
 * connection is returned, before HikariCP's own rollback could hide it (which made the earlier idle-in-transaction
 * check unable to fail). The check itself is shown to fail on code that does leave a transaction open.
 */
class TransactionHygieneIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(16);

    @Test
    void everyStrategySucceedingAndFailingGivesBackEveryConnectionOutsideATransaction() {
        for (Strategy strategy : Strategy.values()) {
            TransactionCheckingDataSource checked = new TransactionCheckingDataSource(DB.dataSource());
            try (Lockwise lockwise = Lockwise.builder(checked).strategy(strategy)
                    .lockTimeout(Duration.ofMillis(200)).build()) {
                Account account = lockwise.openAccount().open(new Username("tx-" + strategy.label()), Money.ZERO);
                lockwise.deposit().depositTo(account.id(), Money.of("1.00"));
                lockwise.deposit().depositTo(account.username(), Money.of("1.00"));
                lockwise.deposit().depositOnce(new RequestId("tx-" + strategy.label()), account.id(), Money.of("1.00"));
                lockwise.deposit().depositOnce(new RequestId("tx-" + strategy.label()), account.id(), Money.of("1.00"));
                VerFact fact = lockwise.recordVerFact().record();
                lockwise.setAsProcessed().process(fact.id());
                lockwise.setAsProcessed().process(fact.id());
                // Failing calls: a missing account, a missing fact, a request id reused for another account.
                assertThatThrownBy(() -> lockwise.deposit().depositTo(new AccountId(999_999), Money.of("1.00")))
                        .isInstanceOf(LockwiseException.class);
                assertThatThrownBy(() -> lockwise.setAsProcessed().process(new VerFactId(999_999)))
                        .isInstanceOf(LockwiseException.class);
                Account other = lockwise.openAccount().open(new Username("tx-other-" + strategy.label()),
                        Money.ZERO);
                assertThatThrownBy(() -> lockwise.deposit().depositOnce(new RequestId("tx-" + strategy.label()),
                        other.id(), Money.of("1.00"))).isInstanceOf(LockwiseException.class);
                assertThatThrownBy(() -> lockwise.openAccount().open(account.username(), Money.ZERO))
                        .isInstanceOf(LockwiseException.class);
                lockwise.runExclusive().run(new LockId("tx-" + strategy.label()),
                        LeaseTerms.tryOnce(Duration.ofSeconds(3)).holdingAtLeast(Duration.ofMillis(100)),
                        lease -> null);
            }
            assertThat(checked.violations()).as(strategy.label()).isEmpty();
            assertThat(checked.open()).as(strategy.label() + ": connections not given back").isZero();
        }
    }

    @Test
    void theCheckCatchesAConnectionGivenBackInsideATransaction() throws Exception {
        TransactionCheckingDataSource checked = new TransactionCheckingDataSource(DB.dataSource());
        try (Connection sloppy = checked.getConnection(); Statement statement = sloppy.createStatement()) {
            sloppy.setAutoCommit(false);
            statement.execute("SELECT 1");
        }
        assertThat(checked.violations()).hasSize(1).first().asString().contains("OPEN");
        Connection leaked = checked.getConnection();
        assertThat(checked.open()).isEqualTo(1);
        leaked.close();
        assertThat(checked.open()).isZero();
    }
}
