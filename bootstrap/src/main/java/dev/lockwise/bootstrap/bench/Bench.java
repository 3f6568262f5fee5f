package dev.lockwise.bootstrap.bench;

import dev.lockwise.application.ProcessingOutcome;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.domain.RetriesExhaustedException;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLock;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.verfact.VerFactId;
import org.HdrHistogram.Histogram;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The benchmark harness: runs each workload cell with real threads on real connections, measures throughput and
 * latency (HdrHistogram), and checks the cell's invariant afterwards. A failed invariant is reported, never hidden.
 */
public final class Bench {
    private static final Duration LEASE_TTL = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final Map<String, BenchDeposits> deposits;
    private final Map<String, SetAsProcessed> processors;
    private final LeaseLock leaseLock;
    private final Optional<Pgbench> pgbench;
    private final Progress progress;

    public Bench(DataSource dataSource, Map<String, BenchDeposits> deposits, Map<String, SetAsProcessed> processors,
                 LeaseLock leaseLock, Optional<Pgbench> pgbench, Progress progress) {
        this.dataSource = dataSource;
        this.deposits = deposits;
        this.processors = processors;
        this.leaseLock = leaseLock;
        this.pgbench = pgbench;
        this.progress = progress;
    }

    public List<CellResult> run(BenchConfig config) throws Exception {
        List<CellResult> results = new ArrayList<>();
        long total = 1 + (config.seed() ? config.strategies().size() : 0)
                + (long) config.sweepCells() * config.strategies().size() * config.rounds()
                + (config.verfactRows() > 0 ? processors.size() : 0) + (config.lease() ? 3 : 0);
        progress.start(total);
        try {
            // Warm the JVM up on every strategy first, so that the first cells are not measured while the JIT
            // compiler is still at work on code the later cells get compiled.
            if (!config.warmup().isZero()) {
                progress.step("JVM warm-up");
                for (String strategy : config.strategies()) {
                    depositCell("warm-up", deposits.get(strategy), 100, config.callers().get(0), Duration.ZERO,
                            config.warmup(), 0);
                }
            }
            if (config.seed()) {
                for (String strategy : config.strategies()) {
                    progress.step("seed " + strategy);
                    results.add(depositCell("seed", deposits.get(strategy), 100, 100, Duration.ZERO,
                            Duration.ofMinutes(10), 1000));
                }
            }
            for (int accounts : config.accounts()) {
                for (int callers : config.callers()) {
                    results.addAll(sweepCell(config, accounts, callers));
                }
            }
            if (config.verfactRows() > 0) {
                for (Map.Entry<String, SetAsProcessed> processor : processors.entrySet()) {
                    progress.step("set-as-processed " + processor.getKey());
                    results.add(verfactCell(processor.getKey(), processor.getValue(), config.verfactRows(),
                            config.verfactWorkers(), config.duration()));
                }
            }
            if (config.lease()) {
                int callers = config.callers().stream().filter(c -> c <= 16).max(Integer::compare).orElse(4);
                progress.step("lease distinct ids");
                results.add(leaseDistinctCell(callers, config.duration()));
                progress.step("lease one contended id");
                results.add(leaseContendedCell(callers, config.duration()));
                progress.step("lease renew");
                results.add(leaseRenewCell(config.duration()));
            }
        } finally {
            progress.close();
        }
        return results;
    }

    // ---- deposits ---------------------------------------------------------------------------------------------

    /**
     * One cell of the contention sweep for every strategy. On a shared machine a single measurement moves by
     * ±10–20 % (checkpoints, autovacuum, the other tenants), and whichever strategy runs first after a table reset
     * tends to be slower. So each strategy is measured in {@code rounds} rounds, the order of the strategies rotated
     * by one each round. A cell's ops/s is the median of its rounds (one disturbed round does not decide it; every
     * round's rate is reported too); operations, conflicts and the latency histograms are pooled over the rounds.
     * The invariant is checked after every round and must hold in all of them. pgbench runs once per strategy for
     * the same total time.
     */
    private List<CellResult> sweepCell(BenchConfig config, int accounts, int callers) throws Exception {
        List<String> strategies = config.strategies();
        Map<String, List<DepositRun>> rounds = new LinkedHashMap<>();
        for (int round = 0; round < config.rounds(); round++) {
            for (int i = 0; i < strategies.size(); i++) {
                String strategy = strategies.get((i + round) % strategies.size());
                progress.step("sweep " + strategy + " " + accounts + "x" + callers
                        + (config.rounds() > 1 ? " round " + (round + 1) + "/" + config.rounds() : ""));
                DepositRun run = runDeposits(deposits.get(strategy), accounts, callers, config.warmup(),
                        config.duration(), 0);
                rounds.computeIfAbsent(strategy, s -> new ArrayList<>()).add(run);
            }
        }
        List<CellResult> cells = new ArrayList<>();
        for (String strategy : strategies) {
            List<DepositRun> runs = rounds.get(strategy);
            CellResult cell = runs.stream().reduce(DepositRun::plus).orElseThrow()
                    .result("sweep", strategy, accounts, callers)
                    .withRoundRates(runs.stream().map(run -> run.measured().operationsPerSecond()).toList());
            if (pgbench.isPresent() && Pgbench.SCRIPTS.containsKey(strategy)) {
                resetAccounts(accounts);
                cell = cell.withPgbench(pgbench.get().run(strategy, accounts, callers,
                        config.duration().multipliedBy(config.rounds())));
            }
            cells.add(cell);
        }
        return cells;
    }

    /** One deposit cell; {@code opLimit} > 0 runs that many operations instead of a duration. */
    CellResult depositCell(String workload, BenchDeposits strategy, int accounts, int callers, Duration warmup,
                           Duration duration, long opLimit) throws Exception {
        return runDeposits(strategy, accounts, callers, warmup, duration, opLimit)
                .result(workload, strategy.name(), accounts, callers);
    }

    /** What one run of deposits measured, before it becomes a cell; runs of one cell can be pooled. */
    private record DepositRun(Measured measured, long conflicts, long retries, long exhausted, long errors,
                              String broken) {
        DepositRun plus(DepositRun other) {
            return new DepositRun(measured.plus(other.measured), conflicts + other.conflicts,
                    retries + other.retries, exhausted + other.exhausted, errors + other.errors,
                    broken != null ? broken : other.broken);
        }

        CellResult result(String workload, String strategy, int accounts, int callers) {
            return measured.result(workload, strategy, accounts, callers, conflicts, retries, exhausted, errors,
                    broken);
        }
    }

    private DepositRun runDeposits(BenchDeposits strategy, int accounts, int callers, Duration warmup,
                                   Duration duration, long opLimit) throws Exception {
        resetAccounts(accounts);
        AtomicLongArray acknowledgedCents = new AtomicLongArray(accounts + 1);
        AtomicLongArray acknowledgedCount = new AtomicLongArray(accounts + 1);
        AtomicLong exhausted = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Op deposit = () -> {
            int account = 1 + ThreadLocalRandom.current().nextInt(accounts);
            long cents = 1 + ThreadLocalRandom.current().nextInt(10_000);
            try {
                strategy.deposit(account, cents);
                acknowledgedCents.addAndGet(account, cents);
                acknowledgedCount.incrementAndGet(account);
                return true;
            } catch (RetriesExhaustedException e) {
                exhausted.incrementAndGet();
            } catch (RuntimeException e) {
                errors.incrementAndGet();
            }
            return false;
        };
        if (!warmup.isZero()) {
            drive(callers, warmup, 0, deposit);
        }
        exhausted.set(0);
        errors.set(0);
        long conflicts = strategy.conflicts();
        long retries = strategy.retries();
        Measured measured = drive(callers, duration, opLimit, deposit);
        String broken = checkBalances(accounts, acknowledgedCents, acknowledgedCount);
        return new DepositRun(measured, strategy.conflicts() - conflicts, strategy.retries() - retries,
                exhausted.get(), errors.get(), broken);
    }

    void resetAccounts(int accounts) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE account, deposit_request RESTART IDENTITY");
            statement.execute("INSERT INTO account (username, balance, version) SELECT 'bench-' || n, 0, 0"
                    + " FROM generate_series(1, " + accounts + ") AS n");
            statement.execute("ANALYZE account");
        }
    }

    private String checkBalances(int accounts, AtomicLongArray cents, AtomicLongArray counts) throws SQLException {
        long expectedTotal = 0;
        long actualTotal = 0;
        String firstMismatch = null;
        int mismatches = 0;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT id, balance, version FROM account");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                int id = (int) rows.getLong(1);
                long balance = rows.getBigDecimal(2).movePointRight(2).longValueExact();
                long version = rows.getLong(3);
                expectedTotal += cents.get(id);
                actualTotal += balance;
                if (balance != cents.get(id) || version != counts.get(id)) {
                    mismatches++;
                    if (firstMismatch == null) {
                        firstMismatch = String.format("account %d: balance %.2f version %d, acknowledged %.2f in %d"
                                + " deposits", id, balance / 100.0, version, cents.get(id) / 100.0, counts.get(id));
                    }
                }
            }
        }
        if (mismatches == 0 && expectedTotal == actualTotal) {
            return null;
        }
        return String.format("%d of %d accounts wrong; total %.2f vs acknowledged %.2f; first: %s", mismatches,
                accounts, actualTotal / 100.0, expectedTotal / 100.0, firstMismatch);
    }

    // ---- set-as-processed -------------------------------------------------------------------------------------

    CellResult verfactCell(String strategy, SetAsProcessed processor, int rows, int workers, Duration duration)
            throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE verfact RESTART IDENTITY");
            statement.execute("INSERT INTO verfact (state) SELECT 'I' FROM generate_series(1, " + rows + ")");
            statement.execute("ANALYZE verfact");
        }
        AtomicLong mine = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Measured measured = drive(workers, duration, 0, () -> {
            long id = 1 + ThreadLocalRandom.current().nextInt(rows);
            try {
                if (processor.process(new VerFactId(id)) == ProcessingOutcome.PROCESSED_BY_THIS_CALL) {
                    mine.incrementAndGet();
                }
                return true;
            } catch (RuntimeException e) {
                errors.incrementAndGet();
                return false;
            }
        });
        String broken = null;
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) FILTER (WHERE processed),"
                     + " count(*) FILTER (WHERE version <> CASE WHEN processed THEN 2 ELSE 1 END) FROM verfact")) {
            row.next();
            long processed = row.getLong(1);
            long wrongVersions = row.getLong(2);
            if (processed != mine.get() || wrongVersions != 0) {
                broken = processed + " rows processed but " + mine.get() + " callers were told they processed one; "
                        + wrongVersions + " rows with a wrong version";
            }
        }
        return measured.result("set-as-processed", strategy, rows, workers, 0, 0, 0, errors.get(), broken);
    }

    // ---- lease ------------------------------------------------------------------------------------------------

    CellResult leaseDistinctCell(int callers, Duration duration) throws Exception {
        AtomicLong errors = new AtomicLong();
        AtomicInteger threadIds = new AtomicInteger();
        ThreadLocal<LockId> own = ThreadLocal.withInitial(() -> new LockId("bench-distinct-" + threadIds.incrementAndGet()
                + "-" + System.nanoTime()));
        Measured measured = drive(callers, duration, 0, () -> {
            Optional<Lease> lease = leaseLock.tryAcquire(own.get(), LEASE_TTL);
            if (lease.isEmpty() || !leaseLock.release(lease.get())) {
                errors.incrementAndGet();
                return false;
            }
            return true;
        });
        String broken = errors.get() == 0 ? null : errors.get() + " acquire/release cycles on a lock id of its own"
                + " failed";
        return measured.result("lease-distinct", "lease", callers, callers, 0, 0, 0, errors.get(), broken);
    }

    CellResult leaseContendedCell(int callers, Duration duration) throws Exception {
        LockId contended = new LockId("bench-contended-" + System.nanoTime());
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        AtomicLong unavailable = new AtomicLong();
        AtomicLong lastGeneration = new AtomicLong();
        AtomicLong outOfOrder = new AtomicLong();
        Measured measured = drive(callers, duration, 0, () -> {
            Optional<Lease> lease = leaseLock.tryAcquire(contended, LEASE_TTL);
            if (lease.isEmpty()) {
                unavailable.incrementAndGet();
                return false;
            }
            maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
            if (lease.get().generation() <= lastGeneration.getAndSet(lease.get().generation())) {
                outOfOrder.incrementAndGet();
            }
            holders.decrementAndGet();
            leaseLock.release(lease.get());
            return true;
        });
        String broken = maxHolders.get() <= 1 && outOfOrder.get() == 0 ? null : "overlapping holders: max "
                + maxHolders.get() + " at once; " + outOfOrder.get() + " generations out of order";
        return measured.result("lease-contended", "lease", 1, callers, unavailable.get(), 0, 0, 0, broken);
    }

    CellResult leaseRenewCell(Duration duration) throws Exception {
        LockId id = new LockId("bench-renew-" + System.nanoTime());
        Lease lease = leaseLock.tryAcquire(id, LEASE_TTL).orElseThrow();
        AtomicLong lost = new AtomicLong();
        Measured measured = drive(1, duration, 0, () -> {
            Optional<Lease> renewed = leaseLock.renew(lease, LEASE_TTL);
            if (renewed.isEmpty() || renewed.get().generation() != lease.generation()) {
                lost.incrementAndGet();
                return false;
            }
            return true;
        });
        leaseLock.release(lease);
        return measured.result("lease-renew", "lease", 1, 1, 0, 0, 0, lost.get(),
                lost.get() == 0 ? null : lost.get() + " renewals of a held lease failed");
    }

    // ---- driving ----------------------------------------------------------------------------------------------

    @FunctionalInterface
    interface Op {
        /** @return true if the operation succeeded (counted and timed) */
        boolean run() throws Exception;
    }

    private record Measured(long operations, double seconds, Histogram latencyMicros) {
        double operationsPerSecond() {
            return seconds <= 0 ? 0 : operations / seconds;
        }

        Measured plus(Measured other) {
            Histogram both = latencyMicros.copy();
            both.add(other.latencyMicros);
            return new Measured(operations + other.operations, seconds + other.seconds, both);
        }

        CellResult result(String workload, String strategy, int rows, int callers, long conflicts, long retries,
                          long exhausted, long errors, String broken) {
            return new CellResult(workload, strategy, rows, callers, operations, seconds,
                    latencyMicros.getValueAtPercentile(50) / 1000.0, latencyMicros.getValueAtPercentile(95) / 1000.0,
                    latencyMicros.getValueAtPercentile(99) / 1000.0, conflicts, retries, exhausted, errors,
                    broken == null, broken == null ? "ok" : broken, OptionalDouble.empty(), List.of());
        }
    }

    private static Measured drive(int threads, Duration duration, long opLimit, Op op) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        AtomicLong operations = new AtomicLong();
        AtomicLong claimed = new AtomicLong();
        List<Future<Histogram>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(10), 2);
                start.await();
                long deadline = System.nanoTime() + duration.toNanos();
                while (System.nanoTime() - deadline < 0) {
                    if (opLimit > 0 && claimed.incrementAndGet() > opLimit) {
                        break;
                    }
                    long began = System.nanoTime();
                    if (op.run()) {
                        histogram.recordValue(Math.min(histogram.getHighestTrackableValue(),
                                Math.max(1, (System.nanoTime() - began) / 1000)));
                        operations.incrementAndGet();
                    }
                }
                return histogram;
            }));
        }
        long began = System.nanoTime();
        start.countDown();
        pool.shutdown();
        if (!pool.awaitTermination(duration.toSeconds() + 600, TimeUnit.SECONDS)) {
            pool.shutdownNow();
            throw new IllegalStateException("bench workers did not stop");
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        Histogram total = new Histogram(TimeUnit.MINUTES.toMicros(10), 2);
        for (Future<Histogram> future : futures) {
            total.add(future.get());
        }
        return new Measured(operations.get(), seconds, total);
    }
}
