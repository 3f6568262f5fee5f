package dev.lockwise.application;

import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.application.memory.InMemoryAccountRepository;
import dev.lockwise.application.memory.InMemoryVerFactRepository;
import dev.lockwise.application.retry.ConflictRetry;
import dev.lockwise.application.retry.RetryPolicy;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactNotFoundException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Opening accounts, recording facts and setting them processed, on the in-memory repositories. */
class UseCasesTest {
    private final CountingEvents events = new CountingEvents();
    private final ConflictRetry retry = new ConflictRetry(new RetryPolicy(3, Duration.ofMillis(1), 2.0,
            Duration.ofMillis(2), 0.5), Strategy.OPTIMISTIC, events);

    @Test
    void anOpenedAccountIsReturnedAsStored() {
        InMemoryAccountRepository accounts = new InMemoryAccountRepository();
        Account opened = new OpenAccount(accounts).open(new Username("alice"), Money.of("3.00"));
        assertThat(opened.balance()).isEqualTo(Money.of("3.00"));
        assertThat(accounts.find(new Username("alice"))).contains(opened);
    }

    @Test
    void aNameWithAnInvisibleCharacterIsRefusedAndNothingIsOpened() {
        InMemoryAccountRepository accounts = new InMemoryAccountRepository();
        // a zero-width space: looks like "alice"
        assertThatThrownBy(() -> new OpenAccount(accounts).open(new Username("al\u200Bice"), Money.ZERO))
                .isInstanceOf(InvalidInputException.class);
        assertThat(accounts.find(new Username("al\u200Bice"))).isEmpty();
        assertThatThrownBy(() -> new OpenAccount(accounts).open(new Username("bob"), null))
                .isInstanceOf(NullPointerException.class).hasMessage("openingBalance");
    }

    @Test
    void aRecordedFactIsUnprocessedAndStored() {
        InMemoryVerFactRepository facts = new InMemoryVerFactRepository();
        VerFact fact = new RecordVerFact(facts).record();
        assertThat(fact.processed()).isFalse();
        assertThat(facts.find(fact.id())).contains(fact);
    }

    @Test
    void theFirstCallProcessesAFactAndTheNextFindsItProcessed() {
        InMemoryVerFactRepository facts = new InMemoryVerFactRepository();
        SetAsProcessed setAsProcessed = new SetAsProcessed(facts, retry);
        VerFact fact = facts.insert();
        assertThat(setAsProcessed.process(fact.id())).isEqualTo(ProcessingOutcome.PROCESSED_BY_THIS_CALL);
        assertThat(setAsProcessed.process(fact.id())).isEqualTo(ProcessingOutcome.ALREADY_PROCESSED);
        assertThat(facts.find(fact.id()).orElseThrow().version()).isEqualTo(2);
        assertThat(events.count(Operation.SET_AS_PROCESSED, Strategy.OPTIMISTIC, "success")).isEqualTo(2);
        assertThatThrownBy(() -> setAsProcessed.process(new VerFactId(99)))
                .isInstanceOf(VerFactNotFoundException.class);
        assertThatThrownBy(() -> setAsProcessed.process(null)).isInstanceOf(NullPointerException.class);
    }
}
