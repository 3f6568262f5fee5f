package dev.lockwise.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.cli.bench.AtomicStatementDeposits;
import dev.lockwise.cli.bench.BenchConfig;
import dev.lockwise.cli.bench.DepositWorker;
import dev.lockwise.cli.bench.LockwiseDeposits;
import dev.lockwise.cli.config.Settings;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.Strategy;
import dev.lockwise.jdbc.SqlFailures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lockwise bench-worker STRATEGY}: not for people. {@code lockwise bench} starts one per strategy and drives
 * it over standard input and output ({@link DepositWorker}); its settings, database included, come from the
 * {@code LOCKWISE_…} environment the bench gives it.
 */
@Command(name = "bench-worker", hidden = true, description = "Internal: one strategy's JVM for lockwise bench.")
final class BenchWorkerCommand extends SessionCommand {
    @Parameters(paramLabel = "STRATEGY", description = "optimistic, pessimistic, adaptive, batched or baseline")
    String strategy;

    /**
     * The pool the bench asked for ({@code LOCKWISE_DB_POOL_SIZE}: its callers and a few spare). Without this the
     * worker got a one-shot command's two connections, and every caller beyond two queued in the pool.
     */
    @Override
    int connections(Settings settings) {
        return settings.poolSize();
    }

    @Override
    void validate() {
        if (!BenchConfig.ALL_STRATEGIES.contains(strategy)) {
            throw new InvalidInputException("unknown bench strategy '" + strategy + "'");
        }
    }

    @Override
    int run(Session session) throws Exception {
        // Standard output carries the protocol; anything else a library prints goes to standard error.
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        HikariDataSource pool = session.database.pool();
        pool.getHikariConfigMXBean().setMinimumIdle(0);
        DepositWorker.Connections connections = new PoolConnections(pool);
        BufferedReader requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (strategy.equals(AtomicStatementDeposits.NAME)) {
            DepositWorker.serve(pool, new AtomicStatementDeposits(pool), connections, requests, protocol);
            return ExitCodes.OK;
        }
        CountingEvents counts = new CountingEvents();
        try (Lockwise lockwise = session.lockwise(Strategy.parse(strategy), counts)) {
            DepositWorker.serve(pool, new LockwiseDeposits(lockwise, counts), connections, requests, protocol);
        }
        return ExitCodes.OK;
    }

    /** Fills the pool with a connection per caller before a run, and empties it of idle ones after. */
    private record PoolConnections(HikariDataSource pool) implements DepositWorker.Connections {
        @Override
        public void open(int callers) {
            if (pool.getMaximumPoolSize() < callers) {
                // A run measured this way times the pool's queue, not the strategy: refuse it.
                throw new IllegalStateException("the worker's pool holds " + pool.getMaximumPoolSize()
                        + " connections for " + callers + " callers");
            }
            List<Connection> opened = new ArrayList<>();
            try {
                for (int i = 0; i < callers; i++) {
                    opened.add(pool.getConnection());
                }
            } catch (SQLException e) {
                throw SqlFailures.translate("opening the bench's connections", e);
            } finally {
                opened.forEach(PoolConnections::closeQuietly);
            }
        }

        @Override
        public void release() {
            pool.getHikariPoolMXBean().softEvictConnections();
        }

        private static void closeQuietly(Connection connection) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Returning a connection to the pool; the pool replaces a broken one.
            }
        }
    }
}
