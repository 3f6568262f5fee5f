package dev.lockwise.adapter.jooq;

import com.zaxxer.hikari.HikariDataSource;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batched read and write are planned once per connection and row count, not at every execution: PostgreSQL keeps
 * a prepared statement's generic plan only if it looks no dearer than the custom plans it made first, which an
 * array parameter (assumed to hold ten elements) never does for a batch of one to four rows.
 */
class EachRowUpdatePlansIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(2);

    @Test
    void aBatchOfOneRowOrOfThreeIsExecutedWithAGenericPlanOnceTheDriverHasPreparedIt() throws Exception {
        try (HikariDataSource oneConnection = DB.newPool(1)) {
            JooqAccountRepository accounts = new JooqAccountRepository(oneConnection);
            Account[] opened = new Account[3];
            for (int i = 0; i < opened.length; i++) {
                opened[i] = accounts.open(new Username("planned-" + i), Money.of("1"));
            }
            UnaryOperator<Account> deposit = account -> account.deposit(Money.of("1"));
            for (int round = 0; round < 12; round++) {
                accounts.updateEach(Map.of(opened[0].id(), deposit));
                Map<AccountId, UnaryOperator<Account>> three = new LinkedHashMap<>();
                for (Account account : opened) {
                    three.put(account.id(), deposit);
                }
                accounts.updateEach(three);
            }

            assertThat(accounts.find(opened[0].id()).orElseThrow().version()).isEqualTo(24);
            try (Connection connection = oneConnection.getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet plans = statement.executeQuery("SELECT statement, generic_plans, custom_plans"
                         + " FROM pg_prepared_statements WHERE statement LIKE '%FROM account WHERE id IN%'"
                         + " OR statement LIKE 'WITH c (id, balance, version, expected)%'")) {
                int statements = 0;
                while (plans.next()) {
                    statements++;
                    // The driver prepares on the server from its fifth execution; PostgreSQL then makes five custom
                    // plans before it compares: of twelve executions, a few are left for the generic plan.
                    assertThat(plans.getLong("generic_plans")).as(plans.getString("statement")).isPositive();
                    assertThat(plans.getLong("custom_plans")).as(plans.getString("statement")).isLessThanOrEqualTo(5);
                }
                assertThat(statements).as("read and write, for one row and for three").isEqualTo(4);
            }
        }
    }
}
