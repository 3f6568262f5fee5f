package dev.lockwise.adapter.jooq;

import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import dev.lockwise.testing.TestDatabase;
import dev.lockwise.testing.contract.AccountRepositoryContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The account port's contract, against this adapter on a real PostgreSQL. */
class JooqAccountRepositoryContractIT extends AccountRepositoryContract {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(8);

    @Override
    protected AccountRepository accounts() {
        return new JooqAccountRepository(DB.dataSource());
    }

    @Test
    void moreRowsThanOneStatementCarriesAreWrittenInSeveralPairsEachWithItsOwnOutcome() {
        JooqAccountRepository accounts = new JooqAccountRepository(DB.dataSource());
        int rows = 2 * EachRowUpdate.MAX_ROWS_PER_STATEMENT + 7;
        Map<AccountId, UnaryOperator<Account>> changes = new LinkedHashMap<>();
        for (int i = 0; i < rows; i++) {
            Money amount = Money.of(String.valueOf(i + 1));
            changes.put(accounts.open(new Username("many-" + i), Money.of("1")).id(), a -> a.deposit(amount));
        }
        var outcomes = accounts.updateEach(changes);

        assertThat(outcomes).hasSize(rows).containsOnlyKeys(changes.keySet());
        int i = 0;
        for (AccountId id : changes.keySet()) {
            Account stored = accounts.find(id).orElseThrow();
            assertThat(outcomes.get(id).orThrow().after()).isEqualTo(stored);
            assertThat(stored.balance()).isEqualTo(Money.of("1").plus(Money.of(String.valueOf(++i))));
            assertThat(stored.version()).isEqualTo(1);
        }
    }

    @Test
    void aBatchedChangeThatDoesNotAdvanceTheVersionIsRefusedForItsRowAlone() {
        JooqAccountRepository accounts = new JooqAccountRepository(DB.dataSource());
        Account stale = accounts.open(new Username("stale-version"), Money.of("1"));
        Account fine = accounts.open(new Username("fine-version"), Money.of("1"));
        var outcomes = accounts.updateEach(Map.of(
                stale.id(), a -> new Account(a.id(), a.username(), a.balance().plus(Money.of("5")), a.version()),
                fine.id(), a -> a.deposit(Money.of("5"))));

        // Written with its version unchanged, the row would let another writer that read it first through.
        assertThatThrownBy(() -> outcomes.get(stale.id()).orThrow()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("advance its version");
        assertThat(accounts.find(stale.id()).orElseThrow()).isEqualTo(stale);
        assertThat(accounts.find(fine.id()).orElseThrow().version()).isEqualTo(1);
    }
}
