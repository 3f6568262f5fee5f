package dev.lockwise.application.retry;

import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.RetriesExhaustedException;
import dev.lockwise.domain.Strategy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pure application logic: the attempts are plain suppliers here; the database-backed proof is in the ITs. */
class ConflictRetryTest {
    private final CountingEvents events = new CountingEvents();
    private final RetryPolicy fast = new RetryPolicy(4, Duration.ofMillis(1), 2.0, Duration.ofMillis(4), 0.5);
    private final ConflictRetry retry = new ConflictRetry(fast, Strategy.OPTIMISTIC, events);

    @Test
    void retriesConflictsUntilAnAttemptSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        String result = retry.call(Operation.DEPOSIT, () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new ConcurrentUpdateException("lost the race");
            }
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(attempts).hasValue(3);
        assertThat(events.count(Operation.DEPOSIT, Strategy.OPTIMISTIC, "conflict")).isEqualTo(2);
        assertThat(events.count(Operation.DEPOSIT, Strategy.OPTIMISTIC, "retry")).isEqualTo(2);
        assertThat(events.count(Operation.DEPOSIT, Strategy.OPTIMISTIC, "attempts")).isEqualTo(3);
    }

    @Test
    void eachAttemptIsToldWhetherTheOneBeforeItConflicted() {
        java.util.List<Attempt> seen = new java.util.ArrayList<>();
        String result = retry.call(Operation.DEPOSIT, (Attempt attempt) -> {
            seen.add(attempt);
            if (attempt.number() < 3) {
                throw new ConcurrentUpdateException("lost the race");
            }
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(seen).containsExactly(Attempt.FIRST, new Attempt(2, true), new Attempt(3, true));
        assertThat(retry.call(Operation.DEPOSIT, (Attempt attempt) -> attempt)).isEqualTo(Attempt.FIRST);
    }

    @Test
    void exhaustionIsAnErrorCarryingTheAttemptCountNeverAStaleResult() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.call(Operation.SET_AS_PROCESSED, () -> {
            attempts.incrementAndGet();
            throw new ConcurrentUpdateException("always");
        })).isInstanceOfSatisfying(RetriesExhaustedException.class, e -> assertThat(e.attempts()).isEqualTo(4))
                .hasCauseInstanceOf(ConcurrentUpdateException.class);
        assertThat(attempts).hasValue(4);
        assertThat(events.count(Operation.SET_AS_PROCESSED, Strategy.OPTIMISTIC, "exhausted")).isEqualTo(1);
    }

    @Test
    void otherFailuresAreNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.call(Operation.DEPOSIT, () -> {
            attempts.incrementAndGet();
            throw new InvalidInputException("bad");
        })).isInstanceOf(InvalidInputException.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void policiesAreValidated() {
        assertThatThrownBy(() -> RetryPolicy.DEFAULT.withMaxAttempts(0)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(50), Duration.ofMillis(10)))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofMillis(1), 0.5, Duration.ofMillis(2), 0.1))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Strategy.parse("optimstic")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("optimistic, pessimistic, adaptive");
        assertThat(Strategy.parse(" Pessimistic ")).isEqualTo(Strategy.PESSIMISTIC);
    }
}
