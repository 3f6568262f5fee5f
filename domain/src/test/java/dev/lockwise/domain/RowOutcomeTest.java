package dev.lockwise.domain;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RowOutcomeTest {
    @Test
    void anOutcomeIsEitherWrittenOrFailedNeverBothNorNeither() {
        Updated<Long> step = new Updated<>(1L, 2L);
        assertThat(RowOutcome.written(step).orThrow()).isSameAs(step);
        assertThat(RowOutcome.written(step).failure()).isNull();
        IllegalStateException lost = new IllegalStateException("lost");
        RowOutcome<Long> failed = RowOutcome.failed(lost);
        assertThat(failed.updated()).isNull();
        assertThatThrownBy(failed::orThrow).isSameAs(lost);
        assertThatThrownBy(() -> new RowOutcome<>(step, lost)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RowOutcome<Long>(null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RowOutcome.written(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RowOutcome.failed(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void eachAloneAttemptsEveryRowInOrderAndKeepsEachFailureToItsRow() {
        Map<String, UnaryOperator<Long>> changes = new LinkedHashMap<>();
        changes.put("b", v -> v + 1);
        changes.put("a", v -> {
            throw new ConcurrentUpdateException("a lost its race");
        });
        changes.put("c", v -> v + 3);
        Map<String, RowOutcome<Long>> outcomes = RowOutcome.eachAlone(changes,
                change -> new Updated<>(10L, change.getValue().apply(10L)));
        assertThat(List.copyOf(outcomes.keySet())).containsExactly("b", "a", "c");
        assertThat(outcomes.get("b").orThrow()).isEqualTo(new Updated<>(10L, 11L));
        assertThatThrownBy(() -> outcomes.get("a").orThrow()).isInstanceOf(ConcurrentUpdateException.class);
        assertThat(outcomes.get("c").orThrow()).isEqualTo(new Updated<>(10L, 13L));
    }
}
