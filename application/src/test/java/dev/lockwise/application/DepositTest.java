package dev.lockwise.application;

import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.application.memory.InMemoryAccountRepository;
import dev.lockwise.application.retry.ConflictRetry;
import dev.lockwise.application.retry.RetryPolicy;
import dev.lockwise.domain.InvalidAmountException;
import dev.lockwise.domain.RetriesExhaustedException;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The deposit use case and its retry, against the in-memory repository told to lose races: no database. */
class DepositTest {
    private final InMemoryAccountRepository accounts = new InMemoryAccountRepository();
    private final CountingEvents events = new CountingEvents();
    private final RetryPolicy fourAttempts = new RetryPolicy(4, Duration.ofMillis(1), 2.0, Duration.ofMillis(2), 0.5);
    private final Deposit deposit = new Deposit(accounts, new ConflictRetry(fourAttempts, Strategy.OPTIMISTIC, events));
    private final Account account = accounts.open(new Username("alice"), Money.of("10"));

    @Test
    void aDepositThatLosesTwoRacesIsRetriedAndAppliedOnce() {
        accounts.conflictNext(2);
        Account after = deposit.depositTo(account.id(), Money.of("5"));
        assertThat(after.balance()).isEqualTo(Money.of("15"));
        assertThat(after.version()).isEqualTo(1);
        assertThat(accounts.writeAttempts()).isEqualTo(3);
        assertThat(events.count(Operation.DEPOSIT, Strategy.OPTIMISTIC, "conflict")).isEqualTo(2);
    }

    @Test
    void whenAttemptsRunOutNothingIsAppliedAndTheCallerIsTold() {
        accounts.conflictNext(4);
        assertThatThrownBy(() -> deposit.depositTo(new Username("alice"), Money.of("5")))
                .isInstanceOfSatisfying(RetriesExhaustedException.class, e -> assertThat(e.attempts()).isEqualTo(4));
        assertThat(accounts.find(account.id()).orElseThrow()).isEqualTo(account);
        assertThat(events.count(Operation.DEPOSIT, Strategy.OPTIMISTIC, "exhausted")).isEqualTo(1);
    }

    @Test
    void anExactlyOnceDepositRetriedAfterAConflictIsRecordedOnce() {
        accounts.conflictNext(1);
        RequestId request = new RequestId("req-1");
        DepositReceipt first = deposit.depositOnce(request, account.id(), Money.of("2.50"));
        DepositReceipt again = deposit.depositOnce(request, new Username("alice"), Money.of("2.50"));
        assertThat(first.replayed()).isFalse();
        assertThat(again.replayed()).isTrue();
        assertThat(accounts.find(account.id()).orElseThrow().balance()).isEqualTo(Money.of("12.50"));
    }

    @Test
    void aBadAmountIsRefusedBeforeAnyAttempt() {
        assertThatThrownBy(() -> deposit.depositTo(account.id(), Money.of("0")))
                .isInstanceOf(InvalidAmountException.class);
        assertThatThrownBy(() -> deposit.depositOnce(new RequestId("r"), account.id(), Money.of("-1")))
                .isInstanceOf(InvalidAmountException.class);
        assertThat(accounts.writeAttempts()).isZero();
    }

    @Test
    void aBadAmountIsRefusedBeforeTheAccountIsLookedUp() {
        Username nobody = new Username("nobody");
        assertThatThrownBy(() -> deposit.depositTo(nobody, Money.of("0"))).isInstanceOf(InvalidAmountException.class);
        assertThatThrownBy(() -> deposit.depositOnce(new RequestId("r"), nobody, Money.of("0")))
                .isInstanceOf(InvalidAmountException.class);
        assertThat(accounts.writeAttempts()).isZero();
    }

    @Test
    void missingArgumentsAreNamed() {
        assertThatThrownBy(() -> deposit.depositOnce(new RequestId("r"), (dev.lockwise.domain.account.AccountId) null,
                Money.of("1"))).isInstanceOf(NullPointerException.class).hasMessage("id");
        assertThatThrownBy(() -> deposit.depositOnce(null, account.id(), Money.of("1")))
                .isInstanceOf(NullPointerException.class).hasMessage("requestId");
        assertThatThrownBy(() -> deposit.depositTo((Username) null, Money.of("1")))
                .isInstanceOf(NullPointerException.class).hasMessage("username");
        assertThat(accounts.writeAttempts()).isZero();
    }

    @Test
    void anExactlyOnceDepositToAnUnknownNameIsNotFoundAndRecordsNothing() {
        assertThatThrownBy(() -> deposit.depositOnce(new RequestId("r"), new Username("nobody"), Money.of("1")))
                .isInstanceOf(dev.lockwise.domain.account.AccountNotFoundException.class);
        assertThat(accounts.writeAttempts()).isZero();
    }

    @Test
    void anAttemptIsNumberedFromOneAndOnlyALaterOneMayFollowAConflict() {
        assertThat(dev.lockwise.application.retry.Attempt.FIRST.number()).isEqualTo(1);
        assertThatThrownBy(() -> new dev.lockwise.application.retry.Attempt(0, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("attempt 0");
        assertThatThrownBy(() -> new dev.lockwise.application.retry.Attempt(1, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("attempt 1 after a conflict");
        assertThat(new dev.lockwise.application.retry.Attempt(2, true).previousConflicted()).isTrue();
        assertThat(new ConflictRetry(fourAttempts, Strategy.ADAPTIVE, events).strategy()).isEqualTo(Strategy.ADAPTIVE);
    }

    @Test
    void eachRetryIsReportedWithItsWait() {
        accounts.conflictNext(2);
        deposit.depositTo(account.id(), Money.of("1"));
        assertThat(events.count(Operation.DEPOSIT, Strategy.OPTIMISTIC, "retry")).isEqualTo(2);
        assertThat(events.count(Operation.DEPOSIT, Strategy.OPTIMISTIC, "attempts")).isEqualTo(3);
    }

    @Test
    void aSuccessIsReportedWithItsAttemptsAndElapsedTime() {
        java.util.List<Duration> elapsed = new java.util.ArrayList<>();
        Deposit timed = new Deposit(accounts, new ConflictRetry(fourAttempts, Strategy.OPTIMISTIC,
                new dev.lockwise.application.events.LockwiseEvents() {
                    @Override
                    public void success(Operation operation, Strategy strategy, int attempts, Duration took) {
                        elapsed.add(took);
                    }
                }));
        timed.depositTo(account.id(), Money.of("1"));
        assertThat(elapsed).singleElement().satisfies(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofSeconds(10)));
    }
}
