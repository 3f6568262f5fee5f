package dev.lockwise.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Measures runs of deposits for one strategy: in the bench's own JVM, or in a worker JVM of its own
 * ({@link DepositWorker}), so that strategies do not share a JIT, a heap or a garbage collector.
 */
public interface DepositRunner extends AutoCloseable {
    DepositRun run(DepositCell cell) throws Exception;

    @Override
    default void close() {
    }

    /** A runner that drives {@code deposits} from this JVM. */
    static DepositRunner inThisJvm(DataSource dataSource, BenchDeposits deposits) {
        DepositCells cells = new DepositCells(dataSource);
        return cell -> cells.run(deposits, cell);
    }

    /** {@link #inThisJvm} for each strategy, in the same order. */
    static Map<String, DepositRunner> inThisJvm(DataSource dataSource, Map<String, ? extends BenchDeposits> deposits) {
        Map<String, DepositRunner> runners = new LinkedHashMap<>();
        deposits.forEach((name, strategy) -> runners.put(name, inThisJvm(dataSource, strategy)));
        return runners;
    }
}
