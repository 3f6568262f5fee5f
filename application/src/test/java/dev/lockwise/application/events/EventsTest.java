package dev.lockwise.application.events;

import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LockId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EventsTest {
    private static final Lease LEASE = new Lease(new LockId("job"), 3, Instant.parse("2026-11-25T00:00:00Z"));

    /** Sends one of every event to {@code events}. */
    private static void sendOneOfEach(LockwiseEvents events) {
        events.conflict(Operation.DEPOSIT, Strategy.OPTIMISTIC, 1);
        events.retry(Operation.DEPOSIT, Strategy.OPTIMISTIC, 1, Duration.ofMillis(5));
        events.exhausted(Operation.DEPOSIT, Strategy.OPTIMISTIC, 5);
        events.success(Operation.DEPOSIT, Strategy.OPTIMISTIC, 3, Duration.ofMillis(9));
        events.lockFallback(Operation.DEPOSIT, true);
        events.lockFallback(Operation.DEPOSIT, false);
        events.lockedBatch(Operation.DEPOSIT, 4);
        events.hotRowMemory(Operation.DEPOSIT, () -> 7);
        events.leaseAcquired(LEASE, Duration.ZERO);
        events.leaseUnavailable(LEASE.lockId());
        events.leaseRenewed(LEASE, Duration.ofMillis(2));
        events.leaseLost(LEASE, "taken over");
        events.leaseReleased(LEASE, Duration.ofSeconds(1));
    }

    private static final Map<String, Long> ONE_OF_EACH = Map.ofEntries(
            Map.entry("deposit.optimistic.conflict", 1L),
            Map.entry("deposit.optimistic.retry", 1L),
            Map.entry("deposit.optimistic.exhausted", 1L),
            Map.entry("deposit.optimistic.success", 1L),
            Map.entry("deposit.optimistic.attempts", 3L),
            Map.entry("deposit.adaptive.locked-hot", 1L),
            Map.entry("deposit.adaptive.locked-after-conflict", 1L),
            Map.entry("deposit.adaptive.locked-transactions", 1L),
            Map.entry("deposit.adaptive.locked-changes", 4L),
            Map.entry("lease.acquired", 1L),
            Map.entry("lease.unavailable", 1L),
            Map.entry("lease.renewed", 1L),
            Map.entry("lease.lost", 1L),
            Map.entry("lease.released", 1L));

    @Test
    void countingEventsCountEveryEventUnderItsKey() {
        CountingEvents events = new CountingEvents();
        sendOneOfEach(events);
        assertThat(events.snapshot()).containsExactlyInAnyOrderEntriesOf(ONE_OF_EACH);
        assertThat(events.count(Operation.DEPOSIT, Strategy.OPTIMISTIC, "attempts")).isEqualTo(3);
        assertThat(events.count("never.sent")).isZero();
        assertThat(events.hotRows(Operation.DEPOSIT)).isEqualTo(7);
        assertThat(events.hotRows(Operation.SET_AS_PROCESSED)).as("no memory reported").isZero();
    }

    @Test
    void aSnapshotIsACopyAndResetForgetsTheCounts() {
        CountingEvents events = new CountingEvents();
        events.leaseLost(LEASE, "gone");
        Map<String, Long> before = events.snapshot();
        events.reset();
        assertThat(before).containsExactly(Map.entry("lease.lost", 1L));
        assertThat(events.snapshot()).isEmpty();
        assertThat(events.count("lease.lost")).isZero();
    }

    @Test
    void compositeEventsSendEveryEventToEveryListenerInOrder() {
        CountingEvents first = new CountingEvents();
        CountingEvents second = new CountingEvents();
        StringBuilder order = new StringBuilder();
        LockwiseEvents recordsOrder = new LockwiseEvents() {
            @Override
            public void leaseLost(Lease lease, String reason) {
                order.append("third");
            }
        };
        LockwiseEvents firstInOrder = new LockwiseEvents() {
            @Override
            public void leaseLost(Lease lease, String reason) {
                order.append("first,");
            }
        };
        LockwiseEvents composite = CompositeEvents.of(firstInOrder, first, second, recordsOrder);
        sendOneOfEach(composite);
        assertThat(first.snapshot()).containsExactlyInAnyOrderEntriesOf(ONE_OF_EACH);
        assertThat(second.snapshot()).containsExactlyInAnyOrderEntriesOf(ONE_OF_EACH);
        assertThat(first.hotRows(Operation.DEPOSIT)).isEqualTo(7);
        assertThat(order).hasToString("first,third");
    }

    @Test
    void theNoOpListenerAcceptsEveryEvent() {
        sendOneOfEach(LockwiseEvents.NONE);
        sendOneOfEach(new LockwiseEvents() {
        });
    }
}
