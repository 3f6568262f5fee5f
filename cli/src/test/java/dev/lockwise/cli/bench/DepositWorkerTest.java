package dev.lockwise.cli.bench;

import dev.lockwise.cli.LockwiseCommand;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bench's worker JVMs: what travels between them and the bench, and a worker that cannot start. */
class DepositWorkerTest {
    @Test
    void aRunTravelsAsOneLineAndArrivesWhole() {
        Histogram latency = new Histogram(60_000_000L, 2);
        for (long micros = 1; micros <= 5_000; micros += 7) {
            latency.recordValue(micros);
        }
        DepositRun sent = new DepositRun(new Driver.Measured(714, 1.25, latency), 31, 30, 1, 2,
                "3 of 10 accounts wrong; first: account 4\nbalance 1.00");

        String line = sent.encode();
        DepositRun received = DepositRun.decode(line);

        assertThat(line).doesNotContain("\n");
        assertThat(received.measured().operations()).isEqualTo(714);
        assertThat(received.measured().seconds()).isEqualTo(1.25);
        assertThat(received.measured().latencyMicros()).isEqualTo(latency);
        assertThat(received.conflicts()).isEqualTo(31);
        assertThat(received.retries()).isEqualTo(30);
        assertThat(received.exhausted()).isEqualTo(1);
        assertThat(received.errors()).isEqualTo(2);
        assertThat(received.broken()).isEqualTo(sent.broken());
        assertThat(DepositRun.decode(new DepositRun(new Driver.Measured(1, 1, latency), 0, 0, 0, 0, null).encode())
                .broken()).isNull();
    }

    @Test
    void aCellTravelsAsOneLine() {
        DepositCell cell = new DepositCell(10_000, 64, Duration.ofMillis(500), Duration.ofSeconds(2), 0);
        assertThat(DepositCell.decode(cell.encode())).isEqualTo(cell);
        assertThatThrownBy(() -> DepositCell.decode("10 4")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DepositRun.decode("1 2 3")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWorkerThatCannotStartSaysSoWithItsExitCode() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"),
                LockwiseCommand.class.getName(), "bench-worker", "fastest");

        assertThatThrownBy(() -> DepositWorker.start("fastest", command, Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the bench worker for fastest did not start (exit code 2");
    }
}
