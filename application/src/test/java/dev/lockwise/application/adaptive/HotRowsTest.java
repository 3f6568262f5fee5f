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
}
