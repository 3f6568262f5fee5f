package dev.lockwise.application.adaptive;

import dev.lockwise.application.Deposit;
import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.application.memory.InMemoryAccountRepository;
import dev.lockwise.application.retry.Attempt;
import dev.lockwise.application.retry.ConflictRetry;
import dev.lockwise.application.retry.RetryPolicy;
import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The adaptive decision without a database: two in-memory repositories stand for the optimistic and the pessimistic
 * adapter, and each test checks which of them was asked.
 */
class AdaptiveAccountRepositoryTest {
    private final InMemoryAccountRepository optimistic = new InMemoryAccountRepository();
    private final InMemoryAccountRepository pessimistic = new InMemoryAccountRepository();
    private final CountingEvents events = new CountingEvents();
    private final HotRows hotRows = new HotRows(64, Duration.ofSeconds(30));
    private final AdaptiveAccountRepository adaptive =
            new AdaptiveAccountRepository(optimistic, pessimistic, hotRows, events, Duration.ofSeconds(5));
    private final Account calm = open("calm");
    private final Account hot = open("hot");

    private Account open(String name) {
        Account account = optimistic.open(new Username(name), Money.of("0"));
        pessimistic.open(new Username(name), Money.of("0"));
        return account;
    }

    @Test
    void aCalmRowIsWrittenOptimistically() {
        adaptive.update(calm.id(), a -> a.deposit(Money.of("1")));
        assertThat(optimistic.writeAttempts()).isEqualTo(1);
        assertThat(pessimistic.writeAttempts()).isZero();
    }

    @Test
    void aConflictGoesBackToTheRetryAndTheAttemptAfterItTakesTheRowLock() {
        optimistic.conflictNext(1);
        assertThatThrownBy(() -> adaptive.update(hot.id(), a -> a.deposit(Money.of("1")), Attempt.FIRST))
                .isInstanceOf(ConcurrentUpdateException.class);
        adaptive.update(hot.id(), a -> a.deposit(Money.of("1")), new Attempt(2, true));
        assertThat(pessimistic.writeAttempts()).isEqualTo(1);
        assertThat(pessimistic.find(hot.id()).orElseThrow().balance()).isEqualTo(Money.of("1"));
        assertThat(events.count("deposit.adaptive.locked-after-conflict")).isEqualTo(1);
    }

    @Test
    void aRowThatConflictedIsLockedForOtherCallsToo() {
        optimistic.conflictNext(1);
        assertThatThrownBy(() -> adaptive.update(hot.id(), a -> a.deposit(Money.of("1"))))
                .isInstanceOf(ConcurrentUpdateException.class);
        adaptive.update(hot.id(), a -> a.deposit(Money.of("2")), Attempt.FIRST);
        assertThat(pessimistic.writeAttempts()).isEqualTo(1);
        assertThat(events.count("deposit.adaptive.locked-hot")).isEqualTo(1);
        adaptive.update(calm.id(), a -> a.deposit(Money.of("1")), Attempt.FIRST);
        assertThat(optimistic.writeAttempts()).isEqualTo(2);
    }

    @Test
    void anAttemptAfterAConflictIsLockedEvenWhenTheHotRowMemoryHasForgottenTheRow() {
        AdaptiveAccountRepository forgetful = new AdaptiveAccountRepository(optimistic, pessimistic,
                new HotRows(64, Duration.ofMillis(1)), events, Duration.ofSeconds(5));
        forgetful.update(calm.id(), a -> a.deposit(Money.of("1")), new Attempt(2, true));
        assertThat(pessimistic.writeAttempts()).isEqualTo(1);
        assertThat(optimistic.writeAttempts()).isZero();
        assertThat(events.count("deposit.adaptive.locked-after-conflict")).isEqualTo(1);
    }

    @Test
    void throughTheRetryAHotRowCostsAtMostTwoAttempts() {
        RetryPolicy twoAttempts = new RetryPolicy(2, Duration.ofMillis(1), 2.0, Duration.ofMillis(1), 0.5);
        Deposit deposit = new Deposit(adaptive, new ConflictRetry(twoAttempts, Strategy.ADAPTIVE, events));
        optimistic.conflictNext(1_000);
        Account after = deposit.depositTo(new Username("hot"), Money.of("3"));
        assertThat(after.balance()).isEqualTo(Money.of("3"));
        assertThat(optimistic.writeAttempts() + pessimistic.writeAttempts()).isEqualTo(2);
    }
}
