package dev.lockwise.application.memory;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** The port contract can fail: run against a repository that loses updates, the test that exists for it fails. */
class ContractsCatchBrokenRepositoriesTest {
    @Test
    void theAccountContractFailsARepositoryThatLosesUpdates() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(LostUpdateContractRun.class)).execute();
        assertThat(methods(results.testEvents().failed().stream()))
                .containsExactlyInAnyOrder("concurrentDepositsRetriedOnConflictAreNeitherLostNorDoubled");
        assertThat(methods(results.testEvents().succeeded().stream()))
                .as("the rest of the contract passes: the failure is the lost update, not the set-up")
                .contains("anUpdateWritesTheChangeWithTheVersionOneHigher", "aRequestIdIsAppliedOnceAndItsRepeatAnswersTheFirstReceipt");
    }

    static Set<String> methods(Stream<Event> events) {
        return events.map(event -> event.getTestDescriptor().getSource().orElseThrow())
                .map(source -> ((MethodSource) source).getMethodName()).collect(Collectors.toSet());
    }
}
