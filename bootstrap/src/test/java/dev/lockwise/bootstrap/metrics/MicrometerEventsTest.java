package dev.lockwise.bootstrap.metrics;

import dev.lockwise.application.events.Operation;
import dev.lockwise.domain.Strategy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The adaptive strategy's three metrics the issue asks for: attempts, fallbacks to the lock, hot rows remembered. */
class MicrometerEventsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerEvents events = new MicrometerEvents(registry);

    @Test
    void attemptsFallbacksBatchesAndHotRowsBecomeMeters() {
        AtomicInteger hot = new AtomicInteger();
        events.hotRowMemory(Operation.DEPOSIT, () -> hot.get());
        events.success(Operation.DEPOSIT, Strategy.ADAPTIVE, 2, Duration.ofMillis(3));
        events.lockFallback(Operation.DEPOSIT, false);
        events.lockFallback(Operation.DEPOSIT, true);
        events.lockFallback(Operation.DEPOSIT, true);
        events.lockedBatch(Operation.DEPOSIT, 5);
        hot.set(7);
        System.gc(); // the gauge must not lose a supplier that only it holds

        assertThat(registry.get("lockwise.attempts").tag("strategy", "adaptive").summary().totalAmount())
                .isEqualTo(2.0);
        assertThat(registry.get("lockwise.adaptive.lock.fallbacks").tag("reason", "hot-row").counter().count())
                .isEqualTo(2.0);
        assertThat(registry.get("lockwise.adaptive.lock.fallbacks").tag("reason", "conflict").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("lockwise.adaptive.locked.batch").summary().max()).isEqualTo(5.0);
        assertThat(registry.get("lockwise.adaptive.hot.rows").tag("operation", "deposit").gauge().value())
                .as("read when scraped").isEqualTo(7.0);
    }

    @Test
    void repeatedEventsAddUpOnOneMeterPerOperationAndStrategy() {
        for (int i = 0; i < 3; i++) {
            events.conflict(Operation.DEPOSIT, Strategy.OPTIMISTIC, 1);
            events.success(Operation.DEPOSIT, Strategy.OPTIMISTIC, 2, Duration.ofMillis(1));
        }
        events.conflict(Operation.SET_AS_PROCESSED, Strategy.OPTIMISTIC, 1);
        events.conflict(Operation.DEPOSIT, Strategy.PESSIMISTIC, 1);

        assertThat(registry.get("lockwise.conflicts").tag("operation", "deposit").tag("strategy", "optimistic")
                .counter().count()).isEqualTo(3.0);
        assertThat(registry.get("lockwise.conflicts").counters()).hasSize(3);
        assertThat(registry.get("lockwise.operations").timer().count()).isEqualTo(3);
        assertThat(registry.get("lockwise.attempts").summary().totalAmount()).isEqualTo(6.0);
    }
}
