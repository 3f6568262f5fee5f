package dev.lockwise.adapter.jooq;

import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import dev.lockwise.testing.TestDatabase;
import dev.lockwise.testing.contract.AccountRepositoryContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

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
