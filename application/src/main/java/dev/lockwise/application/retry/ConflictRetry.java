package dev.lockwise.application.retry;

import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.RetriesExhaustedException;
import dev.lockwise.domain.Strategy;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs one use-case attempt after another with resilience4j-retry until one does not conflict. Only
 * {@link ConcurrentUpdateException} is retried (adapters raise it for version mismatches and for SQLSTATE 40001 and
 * 40P01); everything else fails at once. Each attempt is a fresh call into the adapter, so it re-reads in a new
 * transaction. When attempts run out the result is {@link RetriesExhaustedException}, never a stale value.
 */
public final class ConflictRetry {
    private static final Logger LOG = LoggerFactory.getLogger(ConflictRetry.class);

    private final Strategy strategy;
    private final LockwiseEvents events;
    private final Map<Operation, Retry> retries = new EnumMap<>(Operation.class);

    /**
     * @param policy   how many attempts and how long to back off between them
     * @param strategy the strategy the attempts run with, for events and logs
     * @param events   told of every conflict, retry, success and exhaustion
     */
    public ConflictRetry(RetryPolicy policy, Strategy strategy, LockwiseEvents events) {
        Objects.requireNonNull(policy, "policy");
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.events = Objects.requireNonNull(events, "events");
        RetryConfig config = RetryConfig.custom()
                .maxAttempts(policy.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(policy.initialBackoff(),
                        policy.multiplier(), policy.jitter(), policy.maxBackoff()))
                .retryExceptions(ConcurrentUpdateException.class)
                .build();
        for (Operation operation : Operation.values()) {
            Retry retry = Retry.of(operation.label() + "-" + strategy.label(), config);
            retry.getEventPublisher().onRetry(event -> {
                Duration wait = event.getWaitInterval();
                LOG.debug("{} ({}): attempt {} conflicted, retrying in {} ms: {}", operation.label(), strategy.label(),
                        event.getNumberOfRetryAttempts(), wait.toMillis(),
                        event.getLastThrowable() == null ? "" : event.getLastThrowable().getMessage());
                events.retry(operation, strategy, event.getNumberOfRetryAttempts(), wait);
            });
            retries.put(operation, retry);
        }
    }

    /** @return the strategy the attempts run with */
    public Strategy strategy() {
        return strategy;
    }

    /**
     * Calls {@code attempt} until it returns without a conflict, or attempts run out.
     *
     * @param operation the use case, for events and the retry's name
     * @param attempt   one attempt; each call re-reads
     * @param <T>       what an attempt returns
     * @return what the first attempt without a conflict returned
     * @throws dev.lockwise.domain.RetriesExhaustedException if every permitted attempt conflicted
     */
    public <T> T call(Operation operation, Supplier<T> attempt) {
        Objects.requireNonNull(attempt, "attempt");
        return call(operation, (Attempt ignored) -> attempt.get());
    }

    /**
     * Calls {@code attempt} until it returns without a conflict, or attempts run out, telling each call which
     * attempt it is and whether the one before it conflicted (the adaptive strategy locks the row then).
     *
     * @param operation the use case, for events and the retry's name
     * @param attempt   one attempt, told which it is
     * @param <T>       what an attempt returns
     * @return what the first attempt without a conflict returned
     * @throws dev.lockwise.domain.RetriesExhaustedException if every permitted attempt conflicted
     */
    public <T> T call(Operation operation, Function<Attempt, T> attempt) {
        Objects.requireNonNull(attempt, "attempt");
        long started = System.nanoTime();
        int[] attempts = {0};
        boolean[] conflicted = {false};
        Supplier<T> counted = () -> {
            attempts[0]++;
            Attempt current = new Attempt(attempts[0], conflicted[0]);
            try {
                return attempt.apply(current);
            } catch (ConcurrentUpdateException conflict) {
                conflicted[0] = true;
                events.conflict(operation, strategy, attempts[0]);
                throw conflict;
            }
        };
        try {
            T result = retries.get(operation).executeSupplier(counted);
            events.success(operation, strategy, attempts[0], Duration.ofNanos(System.nanoTime() - started));
            return result;
        } catch (ConcurrentUpdateException lastConflict) {
            events.exhausted(operation, strategy, attempts[0]);
            LOG.warn("{} ({}) gave up after {} conflicting attempts", operation.label(), strategy.label(), attempts[0]);
            throw new RetriesExhaustedException(operation.label(), attempts[0], lastConflict);
        }
    }
}
