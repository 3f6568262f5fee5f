package dev.lockwise.application.adaptive;

import dev.lockwise.domain.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HotRowsTest {

    @Test
    void aRowIsHotAfterAConflictAndCoolsDown() throws Exception {
        HotRows hot = new HotRows(16, Duration.ofMillis(100));
        assertThat(hot.isHot(7)).isFalse();
        hot.markHot(7);
        assertThat(hot.isHot(7)).isTrue();
        assertThat(hot.isHot(8)).isFalse();
        Thread.sleep(150);
        assertThat(hot.isHot(7)).isFalse();
    }

    @Test
    void theMemoryIsBoundedWhateverTheNumberOfRows() throws Exception {
        HotRows hot = new HotRows(64, Duration.ofMinutes(1));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            int offset = t;
            pool.submit(() -> {
                for (long key = offset; key < 1_000_000; key += 4) {
                    hot.markHot(key);
                    hot.isHot(key);
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        assertThat(hot.hotCount()).isLessThanOrEqualTo(64);
        assertThat(hot.capacity()).isEqualTo(64);
    }

    @Test
    void capacityAndCooldownAreValidated() {
        assertThatThrownBy(() -> new HotRows(100, Duration.ofSeconds(1))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new HotRows(0, Duration.ofSeconds(1))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new HotRows(64, Duration.ZERO)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void consecutiveIdsSpreadOverTheSlotsAndAreCountedWhileHot() {
        HotRows hot = new HotRows(64, Duration.ofMinutes(1));
        assertThat(hot.hotCount()).isZero();
        for (long id = 1; id <= 16; id++) {
            hot.markHot(id);
        }
        // Ids are mixed before they pick a slot: sixteen consecutive ids keep most of their own slots.
        assertThat(hot.hotCount()).isBetween(12, 16);
        long stillHot = java.util.stream.LongStream.rangeClosed(1, 16).filter(hot::isHot).count();
        assertThat(stillHot).isEqualTo(hot.hotCount());
        assertThat(hot.isHot(-1)).isFalse();
    }

    @Test
    void aRowCooledDownIsNoLongerCounted() throws Exception {
        HotRows hot = new HotRows(4, Duration.ofMillis(20));
        hot.markHot(1);
        assertThat(hot.hotCount()).isEqualTo(1);
        Thread.sleep(40);
        assertThat(hot.hotCount()).isZero();
        assertThat(hot.isHot(1)).isFalse();
    }

    @Test
    void theBoundsOfCapacityAndCooldownAreInclusive() {
        assertThat(new HotRows(1, Duration.ofMillis(1)).capacity()).isEqualTo(1);
        assertThat(new HotRows(1 << 24, Duration.ofHours(1)).capacity()).isEqualTo(1 << 24);
        assertThatThrownBy(() -> new HotRows(1 << 25, Duration.ofSeconds(1)))
                .hasMessage("hot-row capacity must be a power of two between 1 and 16777216, got 33554432");
        assertThatThrownBy(() -> new HotRows(64, Duration.ofHours(1).plusNanos(1)))
                .hasMessageStartingWith("hot-row cooldown must be between 1 ms and 1 hour");
        assertThatThrownBy(() -> new HotRows(64, Duration.ofMillis(-1))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> HotRows.requireValid(64, null)).isInstanceOf(InvalidInputException.class);
    }
}
