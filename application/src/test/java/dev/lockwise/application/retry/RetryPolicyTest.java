package dev.lockwise.application.retry;

import dev.lockwise.domain.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every bound of a retry policy, at the bound and one step past it. */
class RetryPolicyTest {
    private static RetryPolicy policy(int attempts, Duration initial, double multiplier, Duration max, double jitter) {
        return new RetryPolicy(attempts, initial, multiplier, max, jitter);
    }

    private static final Duration MS = Duration.ofMillis(1);

    @Test
    void attemptsFromOneToAThousand() {
        assertThat(policy(1, MS, 2, MS, 0).maxAttempts()).isEqualTo(1);
        assertThat(policy(1000, MS, 2, MS, 0).maxAttempts()).isEqualTo(1000);
        assertThatThrownBy(() -> policy(0, MS, 2, MS, 0)).isInstanceOf(InvalidInputException.class)
                .hasMessage("retry attempts must be between 1 and 1000, got 0");
        assertThatThrownBy(() -> policy(1001, MS, 2, MS, 0)).hasMessage("retry attempts must be between 1 and 1000, got 1001");
    }

    @Test
    void initialBackoffFromOneMillisecondToOneMinute() {
        assertThat(policy(3, Duration.ofMinutes(1), 2, Duration.ofMinutes(1), 0).initialBackoff())
                .isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> policy(3, Duration.ZERO, 2, MS, 0))
                .hasMessage("retry backoff must be between 1 ms and 1 minute, got 0 ms");
        assertThatThrownBy(() -> policy(3, Duration.ofMillis(-1), 2, MS, 0)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> policy(3, Duration.ofMinutes(1).plusMillis(1), 2, Duration.ofMinutes(2), 0))
                .hasMessage("retry backoff must be between 1 ms and 1 minute, got 60001 ms");
    }

    @Test
    void maxBackoffFromTheInitialOneToFiveMinutes() {
        assertThat(policy(3, Duration.ofMillis(5), 2, Duration.ofMillis(5), 0).maxBackoff()).isEqualTo(Duration.ofMillis(5));
        assertThat(policy(3, MS, 2, Duration.ofMinutes(5), 0).maxBackoff()).isEqualTo(Duration.ofMinutes(5));
        assertThatThrownBy(() -> policy(3, Duration.ofMillis(5), 2, Duration.ofMillis(4), 0))
                .hasMessage("retry max backoff must be between the initial backoff and 5 minutes, got 4 ms");
        assertThatThrownBy(() -> policy(3, MS, 2, Duration.ofMinutes(5).plusMillis(1), 0))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void multiplierFromOneToTenAndJitterFromZeroToBelowOne() {
        assertThat(policy(3, MS, 1.0, MS, 0).multiplier()).isEqualTo(1.0);
        assertThat(policy(3, MS, 10.0, MS, 0.999).jitter()).isEqualTo(0.999);
        assertThatThrownBy(() -> policy(3, MS, 0.999, MS, 0)).hasMessage("retry multiplier must be between 1 and 10, got 0.999");
        assertThatThrownBy(() -> policy(3, MS, 10.001, MS, 0)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> policy(3, MS, Double.NaN, MS, 0)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> policy(3, MS, 2, MS, 1.0)).hasMessage("retry jitter must be at least 0 and below 1, got 1.0");
        assertThatThrownBy(() -> policy(3, MS, 2, MS, -0.001)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> policy(3, MS, 2, MS, Double.NaN)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void copiesChangeOnlyWhatTheySay() {
        RetryPolicy base = policy(3, MS, 2, Duration.ofMillis(8), 0.5);
        assertThat(base.withMaxAttempts(7)).isEqualTo(policy(7, MS, 2, Duration.ofMillis(8), 0.5));
        assertThat(base.withBackoff(Duration.ofMillis(2), Duration.ofMillis(9)))
                .isEqualTo(policy(3, Duration.ofMillis(2), 2, Duration.ofMillis(9), 0.5));
    }
}
