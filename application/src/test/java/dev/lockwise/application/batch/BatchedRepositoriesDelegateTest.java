package dev.lockwise.application.batch;

import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.application.memory.InMemoryAccountRepository;
import dev.lockwise.application.memory.InMemoryVerFactRepository;
import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.verfact.VerFact;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the batched repositories hand to the optimistic adapter: everything, with updates by id carried through the
 * batcher's multi-row attempt (counted as batches), and the rest — reads, inserts, changes by name, exactly-once
 * deposits — as they are.
 */
class BatchedRepositoriesDelegateTest {
    private final CountingEvents events = new CountingEvents();

    @Test
    void accountsBatchUpdatesByIdAndPassTheRestThrough() {
        InMemoryAccountRepository optimistic = new InMemoryAccountRepository();
        BatchedAccountRepository batched = new BatchedAccountRepository(optimistic, events, Duration.ofSeconds(5), 1);
        Account opened = batched.open(new Username("alice"), Money.of("1"));
        assertThat(optimistic.find(opened.id())).contains(opened);
        assertThat(batched.find(opened.id())).contains(opened);
        assertThat(batched.find(new Username("alice"))).contains(opened);

        assertThat(batched.update(opened.id(), a -> a.deposit(Money.of("2"))).after().balance())
                .isEqualTo(Money.of("3"));
        assertThat(events.count("deposit.batched.batches")).isEqualTo(1);
        assertThat(events.count("deposit.batched.rows")).isEqualTo(1);
        assertThat(events.count("deposit.batched.attempts")).isEqualTo(1);
        assertThat(batched.update(new Username("alice"), a -> a.deposit(Money.of("1"))).after().balance())
                .isEqualTo(Money.of("4"));
        assertThat(batched.depositOnce(new RequestId("once"), opened.id(), Money.of("1")).balanceAfter())
                .isEqualTo(Money.of("5"));
        assertThat(batched.updateEach(Map.of(opened.id(), a -> a.deposit(Money.of("5")))).get(opened.id()).orThrow()
                .after().balance()).isEqualTo(Money.of("10"));
        assertThat(events.count("deposit.batched.batches")).as("only updates by id went through the batcher")
                .isEqualTo(1);
        assertThat(optimistic.find(opened.id()).orElseThrow().version()).isEqualTo(4);

        optimistic.conflictNext(1);
        assertThatThrownBy(() -> batched.update(opened.id(), a -> a.deposit(Money.of("1"))))
                .isInstanceOf(ConcurrentUpdateException.class);
        assertThat(optimistic.find(opened.id()).orElseThrow().balance()).isEqualTo(Money.of("10"));
    }

    @Test
    void factsBatchUpdatesByIdAndPassTheRestThrough() {
        InMemoryVerFactRepository optimistic = new InMemoryVerFactRepository();
        BatchedVerFactRepository batched = new BatchedVerFactRepository(optimistic, events, Duration.ofSeconds(5), 1);
        VerFact first = batched.insert();
        VerFact second = batched.insert();
        assertThat(batched.find(first.id())).contains(first);
        assertThat(batched.findAll()).containsExactly(first, second);
        assertThat(batched.findAllIds()).containsExactly(first.id(), second.id());
        assertThat(batched.update(first.id(), VerFact::process).changed()).isTrue();
        assertThat(optimistic.find(first.id()).orElseThrow().processed()).isTrue();
        assertThat(events.count("set-as-processed.batched.batches")).isEqualTo(1);
        assertThat(batched.updateEach(Map.of(second.id(), VerFact::process)).get(second.id()).orThrow().changed())
                .isTrue();
        assertThat(optimistic.find(second.id()).orElseThrow().processed()).isTrue();
    }
}
