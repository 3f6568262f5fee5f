package dev.lockwise.application.retry;

import dev.lockwise.application.memory.InMemoryAccountRepository;
import dev.lockwise.application.memory.InMemoryVerFactRepository;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.verfact.VerFact;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A repository that does not care about attempts is wrapped so that every call reaches it unchanged. */
class RetryAwareRepositoriesTest {
    @Test
    void aPlainAccountRepositoryIsReachedThroughEveryMethod() {
        InMemoryAccountRepository plain = new InMemoryAccountRepository();
        RetryAwareAccountRepository aware = RetryAwareAccountRepository.of(plain);
        Account opened = aware.open(new Username("alice"), Money.of("1"));
        assertThat(aware.find(opened.id())).contains(opened);
        assertThat(aware.find(new Username("alice"))).contains(opened);
        assertThat(aware.update(opened.id(), a -> a.deposit(Money.of("1"))).after().balance()).isEqualTo(Money.of("2"));
        assertThat(aware.update(new Username("alice"), a -> a.deposit(Money.of("1")), new Attempt(2, true)).after()
                .balance()).isEqualTo(Money.of("3"));
        assertThat(aware.update(new Username("alice"), a -> a.deposit(Money.of("1"))).after().balance())
                .isEqualTo(Money.of("4"));
        DepositReceipt receipt = aware.depositOnce(new RequestId("r"), opened.id(), Money.of("1"));
        assertThat(receipt.balanceAfter()).isEqualTo(Money.of("5"));
        assertThat(aware.depositOnce(new RequestId("r"), opened.id(), Money.of("1"), Attempt.FIRST).replayed()).isTrue();
        assertThat(plain.find(opened.id()).orElseThrow().balance()).isEqualTo(Money.of("5"));
        assertThat(RetryAwareAccountRepository.of(aware)).as("not wrapped twice").isSameAs(aware);
    }

    @Test
    void aPlainVerFactRepositoryIsReachedThroughEveryMethod() {
        InMemoryVerFactRepository plain = new InMemoryVerFactRepository();
        RetryAwareVerFactRepository aware = RetryAwareVerFactRepository.of(plain);
        VerFact fact = aware.insert();
        assertThat(aware.find(fact.id())).contains(fact);
        assertThat(aware.findAll()).containsExactly(fact);
        assertThat(aware.findAllIds()).containsExactly(fact.id());
        assertThat(aware.update(fact.id(), VerFact::process).after().processed()).isTrue();
        assertThat(aware.update(fact.id(), VerFact::process, new Attempt(2, true)).changed()).isFalse();
        assertThat(plain.find(fact.id()).orElseThrow().processed()).isTrue();
        assertThat(RetryAwareVerFactRepository.of(aware)).as("not wrapped twice").isSameAs(aware);
    }
}
