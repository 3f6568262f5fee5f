package dev.lockwise.cli.metrics;

import dev.lockwise.application.events.Operation;
import dev.lockwise.bootstrap.metrics.MicrometerEvents;
import dev.lockwise.domain.Strategy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line's one-line-per-meter summary of what the library's Micrometer events recorded. */
class MetricsSummaryTest {
    @Test
    void gaugesAreReadWhenSummarisedAndSummariesShowTheirMaximum() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerEvents events = new MicrometerEvents(registry);
        AtomicInteger hot = new AtomicInteger();
        events.hotRowMemory(Operation.DEPOSIT, hot::get);
        events.success(Operation.DEPOSIT, Strategy.ADAPTIVE, 2, Duration.ofMillis(3));
        events.lockedBatch(Operation.DEPOSIT, 5);
        hot.set(7);

        assertThat(MetricsSummary.lines(registry))
                .anySatisfy(line -> assertThat(line).contains("lockwise.adaptive.hot.rows{deposit}").endsWith("7 now"))
                .anySatisfy(line -> assertThat(line).contains("lockwise.adaptive.locked.batch{deposit}")
                        .contains("max=5"));
    }
}
