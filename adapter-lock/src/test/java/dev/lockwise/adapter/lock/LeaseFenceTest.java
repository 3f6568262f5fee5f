package dev.lockwise.adapter.lock;

import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.lease.LeaseTable;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fence's SQL text, built before any connection: a bounded wait on a quoted table, or a refusal. */
class LeaseFenceTest {

    @Test
    void theFenceWaitsNoLongerThanItsLockTimeoutOnTheQuotedLeaseTable() {
        String condition = new LeaseFence(new LeaseTable("Ops", "job_leases"), Duration.ofMillis(750)).condition();
        assertThat(condition).contains("FROM \"Ops\".\"job_leases\" fence")
                .contains("set_config('lock_timeout', '750ms', true)")
                .contains("FOR SHARE OF fence");
        assertThat(new LeaseFence(LeaseTable.DEFAULT).condition()).contains("'5000ms'");
    }

    @Test
    void anUnboundedOrMissingLockTimeoutIsRefused() {
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-5), Duration.ofMinutes(11)}) {
            assertThatThrownBy(() -> new LeaseFence(LeaseTable.DEFAULT, bad))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("every wait is bounded");
        }
        assertThatThrownBy(() -> new LeaseFence(null, Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class);
    }
}
