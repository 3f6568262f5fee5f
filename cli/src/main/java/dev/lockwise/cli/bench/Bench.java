package dev.lockwise.cli.bench;

import dev.lockwise.application.ProcessingOutcome;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLock;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.verfact.VerFactId;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * The benchmark harness: runs each workload cell with real threads on real connections, measures throughput and
 * latency (HdrHistogram), and checks the cell's invariant afterwards. A failed invariant is reported, never hidden.
 * Deposits run through a {@link DepositRunner} per strategy, in this JVM or in a worker JVM of the strategy's own;
 * set-as-processed and the lease cells run in this JVM.
 */
public final class Bench {
    private static final Duration LEASE_TTL = Duration.ofSeconds(30);
    /** Each lease statement's bound, as RunExclusive would give it: well above a round trip, far below the ttl. */
    private static final Duration LEASE_BOUND = Duration.ofSeconds(5);

    private final DataSource dataSource;
    private final Map<String, DepositRunner> deposits;
    private final Map<String, SetAsProcessed> processors;
    private final LeaseLock leaseLock;
    private final Optional<Pgbench> pgbench;
    private final Progress progress;

    public Bench(DataSource dataSource, Map<String, DepositRunner> deposits, Map<String, SetAsProcessed> processors,
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
                + (long) config.accounts().size() * config.strategies().size() * config.rates().size()
                        * config.openLoopRounds()
                + (config.verfactRows() > 0 ? processors.size() : 0) + (config.lease() ? 3 : 0);
        progress.start(total);
        try {
            // Warm every strategy's JVM up first, so that the first cells are not measured while the JIT compiler
            // is still at work: at both ends of the sweep (the hottest rows with the most callers, where the locked
            // and batching paths run; the calmest with the fewest), each for the warm-up time, three times over.
            if (!config.warmup().isZero()) {
                progress.step("JVM warm-up");
                int fewest = config.accounts().stream().min(Integer::compare).orElseThrow();
                int most = config.accounts().stream().max(Integer::compare).orElseThrow();
                int least = config.callers().stream().min(Integer::compare).orElseThrow();
                int greatest = config.callers().stream().max(Integer::compare).orElseThrow();
                for (int time = 0; time < 3; time++) {
                    for (String strategy : config.strategies()) {
                        depositCell("warm-up", strategy, fewest, greatest, config.warmup(), 0);
                        depositCell("warm-up", strategy, most, least, config.warmup(), 0);
                    }
                }
            }
            if (config.seed()) {
                for (String strategy : config.strategies()) {
                    progress.step("seed " + strategy);
                    // As many callers as the sweep's most (each has a connection of its own), at most 100.
                    results.add(depositCell("seed", strategy, 100, Math.min(100, config.maxCallers()),
                            Duration.ofMinutes(10), 1000));
                }
            }
            for (int accounts : config.accounts()) {
                for (int callers : config.callers()) {
                    results.addAll(sweepCell(config, accounts, callers));
                }
            }
            if (!config.rates().isEmpty()) {
                results.addAll(openLoop(config));
            }
            // The rest runs in this JVM, once per strategy (not in rounds) for as long as a sweep cell's rounds
            // together, after an unmeasured warm-up of its own: this JVM has not run these paths yet.
            Duration measured = config.duration().multipliedBy(config.rounds());
            Duration warmup = config.warmup().multipliedBy(3);
            if (config.verfactRows() > 0) {
                for (Map.Entry<String, SetAsProcessed> processor : processors.entrySet()) {
                    progress.step("set-as-processed " + processor.getKey());
                    if (!warmup.isZero()) {
                        verfactCell(processor.getKey(), processor.getValue(), config.verfactRows(),
                                config.verfactWorkers(), warmup);
                    }
                    results.add(verfactCell(processor.getKey(), processor.getValue(), config.verfactRows(),
                            config.verfactWorkers(), measured));
                }
            }
            if (config.lease()) {
                int callers = config.leaseCallers();
                if (!warmup.isZero()) {
                    leaseDistinctCell(callers, warmup);
                    leaseContendedCell(callers, warmup);
                    leaseRenewCell(warmup);
                }
                progress.step("lease distinct ids");
                results.add(leaseDistinctCell(callers, measured));
                progress.step("lease one contended id");
                results.add(leaseContendedCell(callers, measured));
                progress.step("lease renew");
                results.add(leaseRenewCell(measured));
            }
        } finally {
            progress.close();
        }
        return results;
    }

    // ---- deposits ---------------------------------------------------------------------------------------------

    /**
     * One cell of the contention sweep for every strategy, in paired rounds. On a shared machine a single
     * measurement moves by ±10–30 % (checkpoints, autovacuum, the other tenants), so each strategy is measured in
     * {@code rounds} rounds; within a round every strategy runs once, followed at once by pgbench running its SQL
     * (the pair runs back to back, so a disturbance that slows one tends to slow both), and the order of the
     * strategies rotates by one each round (whichever runs first after a table reset tends to be slower). The
     * rounds are kept apart, so that every comparison can be made round by round ({@link PairedComparison}); a
     * cell's ops/s is the median of its rounds; operations, conflicts and the latency histograms are pooled. The
     * invariant is checked after every round and must hold in all of them.
     */
    private List<CellResult> sweepCell(BenchConfig config, int accounts, int callers) throws Exception {
        List<String> strategies = config.strategies();
        Map<String, List<DepositRun>> rounds = new LinkedHashMap<>();
        Map<String, List<Double>> pgbenchRounds = new LinkedHashMap<>();
        for (int round = 0; round < config.rounds(); round++) {
            for (int i = 0; i < strategies.size(); i++) {
                String strategy = strategies.get((i + round) % strategies.size());
                progress.step("sweep " + strategy + " " + accounts + "x" + callers
                        + (config.rounds() > 1 ? " round " + (round + 1) + "/" + config.rounds() : ""));
                DepositRun run = deposits.get(strategy).run(new DepositCell(accounts, callers, config.warmup(),
                        config.duration(), 0));
                rounds.computeIfAbsent(strategy, s -> new ArrayList<>()).add(run);
                if (pgbench.isPresent() && Pgbench.SCRIPTS.containsKey(strategy)) {
                    new DepositCells(dataSource).resetAccounts(accounts);
                    pgbenchRounds.computeIfAbsent(strategy, s -> new ArrayList<>())
                            .add(pgbench.get().run(strategy, accounts, callers, config.duration()));
                }
            }
        }
        List<CellResult> cells = new ArrayList<>();
        for (String strategy : strategies) {
            List<DepositRun> runs = rounds.get(strategy);
            CellResult cell = runs.stream().reduce(DepositRun::plus).orElseThrow()
                    .result("sweep", strategy, accounts, callers)
                    .withRoundRates(runs.stream().map(run -> run.measured().operationsPerSecond()).toList());
            if (pgbenchRounds.containsKey(strategy)) {
                cell = cell.withPgbench(pgbenchRounds.get(strategy));
            }
            cells.add(cell);
        }
        return cells;
    }

    /**
     * The open-loop cells: per contention level, each rate in increasing order, in paired rounds like the sweep's
     * (every strategy still going offered the rate once per round, in an order rotated by round), so that a
     * strategy's p99 can be compared with another's round by round. A cell pools its rounds' latencies. A strategy
     * stops after the first rate it does not sustain over its rounds together (95 % of the offered rate acknowledged
     * and p99 within the bound); the rates above it would only queue more.
     */
    private List<CellResult> openLoop(BenchConfig config) throws Exception {
        List<CellResult> cells = new ArrayList<>();
        List<String> strategies = config.strategies();
        int concurrency = config.openLoopConcurrency();
        double bound = config.p99Bound().toNanos() / 1e6;
        for (int accounts : config.accounts()) {
            Set<String> stillGoing = new HashSet<>(strategies);
            for (int rate : config.rates()) {
                // Rotated over the strategies still going, so that each pair alternates who runs first.
                List<String> running = strategies.stream().filter(stillGoing::contains).toList();
                Map<String, DepositRun> pooled = new HashMap<>();
                Map<String, List<Double>> roundP99Millis = new HashMap<>();
                for (int round = 0; round < config.openLoopRounds(); round++) {
                    for (int i = 0; i < strategies.size(); i++) {
                        progress.step("open loop " + accounts + " accounts at " + rate + "/s round " + (round + 1)
                                + "/" + config.openLoopRounds());
                        if (i >= running.size()) {
                            continue; // the step of a strategy that stopped at a lower rate
                        }
                        String strategy = running.get((i + round) % running.size());
                        DepositRun run = deposits.get(strategy).run(new DepositCell(accounts, concurrency,
                                config.warmup(), config.openLoopDuration(), 0, rate));
                        pooled.merge(strategy, run, DepositRun::plus);
                        roundP99Millis.computeIfAbsent(strategy, s -> new ArrayList<>())
                                .add(run.measured().millisAt(99));
                    }
                }
                for (String strategy : running) {
                    CellResult cell = pooled.get(strategy).result("open-loop", strategy, accounts, concurrency)
                            .offeredAt(rate, roundP99Millis.get(strategy));
                    cells.add(cell);
                    if (!cell.sustained(bound)) {
                        stillGoing.remove(strategy);
                    }
                }
            }
        }
        return cells;
    }

    /** One deposit cell; {@code opLimit} > 0 runs that many operations instead of a duration. */
    private CellResult depositCell(String workload, String strategy, int accounts, int callers, Duration duration,
                                   long opLimit) throws Exception {
        return deposits.get(strategy).run(new DepositCell(accounts, callers, Duration.ZERO, duration, opLimit))
                .result(workload, strategy, accounts, callers);
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
        Driver.Measured measured = Driver.drive(workers, duration, 0, () -> {
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
        Driver.Measured measured = Driver.drive(callers, duration, 0, () -> {
            Optional<Lease> lease = leaseLock.tryAcquire(own.get(), LEASE_TTL, LEASE_BOUND);
            if (lease.isEmpty() || !leaseLock.release(lease.get(), LEASE_BOUND)) {
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
        Driver.Measured measured = Driver.drive(callers, duration, 0, () -> {
            Optional<Lease> lease = leaseLock.tryAcquire(contended, LEASE_TTL, LEASE_BOUND);
            if (lease.isEmpty()) {
                unavailable.incrementAndGet();
                return false;
            }
            maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
            if (lease.get().generation() <= lastGeneration.getAndSet(lease.get().generation())) {
                outOfOrder.incrementAndGet();
            }
            holders.decrementAndGet();
            leaseLock.release(lease.get(), LEASE_BOUND);
            return true;
        });
        String broken = maxHolders.get() <= 1 && outOfOrder.get() == 0 ? null : "overlapping holders: max "
                + maxHolders.get() + " at once; " + outOfOrder.get() + " generations out of order";
        return measured.result("lease-contended", "lease", 1, callers, unavailable.get(), 0, 0, 0, broken);
    }

    CellResult leaseRenewCell(Duration duration) throws Exception {
        LockId id = new LockId("bench-renew-" + System.nanoTime());
        Lease lease = leaseLock.tryAcquire(id, LEASE_TTL, LEASE_BOUND).orElseThrow();
        AtomicLong lost = new AtomicLong();
        Driver.Measured measured = Driver.drive(1, duration, 0, () -> {
            Optional<Lease> renewed = leaseLock.renew(lease, LEASE_TTL, LEASE_BOUND);
            if (renewed.isEmpty() || renewed.get().generation() != lease.generation()) {
                lost.incrementAndGet();
                return false;
            }
            return true;
        });
        leaseLock.release(lease, LEASE_BOUND);
        return measured.result("lease-renew", "lease", 1, 1, 0, 0, 0, lost.get(),
                lost.get() == 0 ? null : lost.get() + " renewals of a held lease failed");
    }
}
