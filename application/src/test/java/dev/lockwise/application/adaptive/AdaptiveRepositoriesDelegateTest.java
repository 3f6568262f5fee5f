package dev.lockwise.application.adaptive;

import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.application.memory.InMemoryAccountRepository;
import dev.lockwise.application.memory.InMemoryVerFactRepository;
import dev.lockwise.application.retry.Attempt;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.verfact.VerFact;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the adaptive repositories hand to which adapter: reads and inserts always to the optimistic one, a first
 * attempt on a calm row too, an attempt after a conflict to the row-locking one.
 */
class AdaptiveRepositoriesDelegateTest {
    private final CountingEvents events = new CountingEvents();

    @Test
    void accountsReadAndOpenOptimisticallyAndLockAfterAConflict() {
        InMemoryAccountRepository optimistic = new InMemoryAccountRepository();
        InMemoryAccountRepository pessimistic = new InMemoryAccountRepository();
        AdaptiveAccountRepository adaptive = new AdaptiveAccountRepository(optimistic, pessimistic,
                new HotRows(64, Duration.ofSeconds(30)), events, Duration.ofSeconds(5));
        Account opened = adaptive.open(new Username("alice"), Money.of("1"));
        pessimistic.open(new Username("alice"), Money.of("1"));
        assertThat(optimistic.find(opened.id())).contains(opened);
        assertThat(adaptive.find(opened.id())).contains(opened);
        assertThat(adaptive.find(new Username("alice"))).contains(opened);

        assertThat(adaptive.update(new Username("alice"), a -> a.deposit(Money.of("1")), Attempt.FIRST).after()
                .balance()).isEqualTo(Money.of("2"));
        assertThat(adaptive.update(new Username("alice"), a -> a.deposit(Money.of("1")), new Attempt(2, true))
                .after().balance()).as("the locked adapter's row").isEqualTo(Money.of("2"));
        assertThat(adaptive.update(opened.id(), a -> a.deposit(Money.of("5")), new Attempt(2, true)).after()
                .balance()).isEqualTo(Money.of("7"));
        assertThat(optimistic.find(opened.id()).orElseThrow().balance()).isEqualTo(Money.of("2"));

        assertThat(adaptive.depositOnce(new RequestId("calm"), opened.id(), Money.of("1"), Attempt.FIRST)
                .balanceAfter()).isEqualTo(Money.of("3"));
        assertThat(adaptive.depositOnce(new RequestId("after-conflict"), opened.id(), Money.of("1"),
                new Attempt(2, true)).balanceAfter()).isEqualTo(Money.of("8"));
        assertThat(events.count("deposit.adaptive.locked-after-conflict")).isEqualTo(3);
    }

    @Test
    void aNameAndAnIdAreDistinctRowsInTheHotRowMemory() {
        InMemoryAccountRepository optimistic = new InMemoryAccountRepository();
        HotRows hotRows = new HotRows(1024, Duration.ofSeconds(30));
        AdaptiveAccountRepository adaptive = new AdaptiveAccountRepository(optimistic, new InMemoryAccountRepository(),
                hotRows, events, Duration.ofSeconds(5));
        Account opened = adaptive.open(new Username("bob"), Money.of("1"));
        optimistic.conflictNext(1);
        try {
            adaptive.update(new Username("bob"), a -> a.deposit(Money.of("1")), Attempt.FIRST);
        } catch (dev.lockwise.domain.ConcurrentUpdateException expected) {
            // marks the name hot, not the id
        }
        assertThat(hotRows.hotCount()).isEqualTo(1);
        assertThat(events.hotRows(dev.lockwise.application.events.Operation.DEPOSIT)).as("the memory reported").isEqualTo(1);
        assertThat(hotRows.isHot(opened.id().value())).isFalse();
        assertThat(hotRows.isHot(-1L - ("bob".hashCode() & 0x7fffffffL))).isTrue();
    }

    @Test
    void factsReadAndInsertOptimisticallyAndLockAfterAConflict() {
        InMemoryVerFactRepository optimistic = new InMemoryVerFactRepository();
        InMemoryVerFactRepository pessimistic = new InMemoryVerFactRepository();
        AdaptiveVerFactRepository adaptive = new AdaptiveVerFactRepository(optimistic, pessimistic,
                new HotRows(64, Duration.ofSeconds(30)), events, Duration.ofSeconds(5));
        VerFact first = adaptive.insert();
        VerFact second = adaptive.insert();
        pessimistic.insert();
        pessimistic.insert();
        assertThat(adaptive.find(first.id())).contains(first);
        assertThat(adaptive.findAll()).containsExactly(first, second);
        assertThat(adaptive.findAllIds()).containsExactly(first.id(), second.id());
        assertThat(adaptive.update(first.id(), VerFact::process, Attempt.FIRST).changed()).isTrue();
        assertThat(optimistic.find(first.id()).orElseThrow().processed()).isTrue();
        assertThat(adaptive.update(second.id(), VerFact::process, new Attempt(2, true)).changed()).isTrue();
        assertThat(pessimistic.find(second.id()).orElseThrow().processed()).as("locked after a conflict").isTrue();
        assertThat(optimistic.find(second.id()).orElseThrow().processed()).isFalse();
        assertThat(events.count("set-as-processed.adaptive.locked-after-conflict")).isEqualTo(1);
    }
}
