package dev.lockwise.contract;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The strategy contract can fail: run against PostgreSQL through repositories that read, change and write back without
 * a version check or a lock ({@link LostUpdateStrategyRun}), its invariants under load report the lost updates and
 * the second winner, while the happy paths still pass.
 */
class ContractCatchesBrokenVariantsIT {
    @Test
    void aStrategyThatLosesUpdatesFailsTheInvariantsUnderLoad() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(LostUpdateStrategyRun.class)).execute();
        List<String> failed = methods(results.testEvents().failed().stream());
        assertThat(failed).as("16 threads x 500 deposits over 1, 10 and 100 accounts lose deposits")
                .containsOnlyOnce("seedWorkloadOf1000DepositsOver100AccountsWith100CallersAllSucceed")
                .filteredOn("concurrentDepositsAreNeverLost"::equals).hasSize(3);
        assertThat(failed).as("32 callers of one fact find more than one winner")
                .contains("exactlyOneOf32CallersProcessesTheSameFact");
        assertThat(methods(results.testEvents().succeeded().stream()))
                .as("the happy paths pass: what fails is the invariant, not the set-up")
                .contains("opensAnAccountAndDepositsByIdAndByUsername", "recordsAndProcessesAVerFactOnce");
    }

    static List<String> methods(Stream<Event> events) {
        return events.map(event -> event.getTestDescriptor().getSource().orElseThrow())
                .map(source -> ((MethodSource) source).getMethodName()).toList();
    }
}
