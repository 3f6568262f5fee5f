package dev.lockwise.cli;

import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.cli.bench.AtomicStatementDeposits;
import dev.lockwise.cli.bench.Bench;
import dev.lockwise.cli.bench.BenchConfig;
import dev.lockwise.cli.bench.BenchDeposits;
import dev.lockwise.cli.bench.CellResult;
import dev.lockwise.cli.bench.DepositRunner;
import dev.lockwise.cli.bench.DepositWorker;
import dev.lockwise.cli.bench.LockwiseDeposits;
import dev.lockwise.cli.bench.Pgbench;
import dev.lockwise.cli.bench.Progress;
import dev.lockwise.cli.bench.Reports;
import dev.lockwise.cli.bench.ServerSettings;
import dev.lockwise.cli.config.ConfigException;
import dev.lockwise.cli.config.Durations;
import dev.lockwise.cli.config.Setting;
import dev.lockwise.cli.config.Settings;
import dev.lockwise.cli.db.DatabaseRuntime;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.lease.LeaseLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure throughput, latency and correctness of every strategy across contention, side by side"
                + " with pgbench running the same SQL. Writes results.md, results.csv and throughput.png.")
final class BenchCommand extends SessionCommand {
    @Override
    DatabaseRuntime.Use use() {
        return DatabaseRuntime.Use.SCRATCH;
    }

    @Option(names = "--strategies", split = ",", paramLabel = "NAME",
            description = "Deposit strategies (default optimistic,pessimistic,adaptive,batched,baseline).")
    List<String> strategies = BenchConfig.ALL_STRATEGIES;

    @Option(names = "--accounts", split = ",", paramLabel = "N", description = "Contention levels (default 1,10,100,10000).")
    List<Integer> accounts = List.of(1, 10, 100, 10_000);

    @Option(names = "--callers", split = ",", paramLabel = "N", description = "Concurrent callers (default 4,16,64).")
    List<Integer> callers = List.of(4, 16, 64);

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Measured time per cell and round (default 1s).")
    String duration = "1s";

    @Option(names = "--rounds", paramLabel = "N", description = "Rounds of the contention sweep, strategies in a"
            + " rotated order each round, each followed at once by pgbench on its SQL; every comparison is made round"
            + " by round, with a 95 %% confidence interval; a cell's ops/s is the median of its rounds (default 10;"
            + " measured on 2 cores: half the intervals then span ±10 %% or less, 5 rounds would give about ±18 %%).")
    int rounds = 10;

    @Option(names = "--warmup", paramLabel = "DURATION", description = "Unmeasured warm-up per cell and round"
            + " (default 500ms); the JVMs are warmed up for six times as long before the first cell.")
    String warmup = "500ms";

    @Option(names = "--no-seed", negatable = true, description = "Skip the seed workload (1000 deposits into 100 accounts by the sweep's most callers).")
    boolean seed = true;

    @Option(names = "--verfact-rows", paramLabel = "N", description = "Rows for set-as-processed (default 100000; 0 skips).")
    int verfactRows = 100_000;

    @Option(names = "--verfact-workers", paramLabel = "N", description = "Workers for set-as-processed (default 16).")
    int verfactWorkers = 16;

    @Option(names = "--no-lease", negatable = true, description = "Skip the lease-lock workloads.")
    boolean lease = true;

    @Option(names = "--no-pgbench", negatable = true, description = "Do not run pgbench even if it is on the PATH.")
    boolean pgbench = true;

    @Option(names = "--rate", split = ",", paramLabel = "PER_SECOND", description = "Open-loop arrival rates:"
            + " deposits offered per second whether or not earlier ones finished, latency counted from each one's"
            + " intended start; each contention level tries them in increasing order, a strategy until one is not"
            + " sustained (default 500,1000,2000,4000,8000,16000,32000; --rate 0 skips).")
    List<Integer> rates = List.of(500, 1000, 2000, 4000, 8000, 16_000, 32_000);

    @Option(names = "--open-loop-rounds", paramLabel = "N", description = "Rounds of each open-loop rate: in each,"
            + " every strategy still going is offered the rate for 3x --duration, in an order rotated by round; each"
            + " strategy's p99 is compared with optimistic's round by round, with a 95 %% confidence interval"
            + " (default 5; each round costs every strategy 3x --duration per rate, about 20 minutes of the default"
            + " bench beyond --open-loop-rounds 1).")
    int openLoopRounds = 5;

    @Option(names = "--p99-bound", paramLabel = "DURATION", description = "The p99 latency a rate must keep within"
            + " to count as sustained (default 50ms).")
    String p99Bound = "50ms";

    @Option(names = "--no-durable", negatable = true, description = "Durable commits (default): the bench's"
            + " database runs with synchronous_commit=on. --no-durable sets synchronous_commit=off there (commits"
            + " acknowledged before they reach the disk), and every report says so.")
    boolean durable = true;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default bench-results).")
    Path outputDir = Path.of("bench-results");

    @Option(names = "--no-progress", negatable = true,
            description = "No live progress bar (there is one only when a terminal is attached).")
    boolean progress = true;

    @Option(names = "--same-jvm", description = "Measure every deposit strategy in this JVM instead of one worker"
            + " JVM per strategy (faster to start; the strategies then share the JIT, heap and garbage collector).")
    boolean sameJvm;

    private BenchConfig config;

    @Override
    void validate() {
        try {
            config = new BenchConfig(strategies, accounts, callers, Durations.parse(warmup), Durations.parse(duration),
                    rounds, seed, verfactRows, verfactWorkers, lease, pgbench, outputDir,
                    rates.equals(List.of(0)) ? List.of() : rates, Durations.parse(p99Bound), openLoopRounds);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid bench duration: " + e.getMessage());
        }
    }

    @Override
    int connections(Settings settings) {
        int callersAtOnce = config.callers().stream().max(Integer::compare).orElse(1);
        if (!settings.sourceOf(Setting.POOL_SIZE).equals("default") && settings.poolSize() < callersAtOnce) {
            // Callers beyond the pool would wait in it, and the bench would time that queue instead of the strategy.
            throw new ConfigException("the bench runs up to " + callersAtOnce + " depositors and needs a connection "
                    + "for each, but db.pool-size is " + settings.poolSize() + " (" + settings.sourceOf(Setting.POOL_SIZE)
                    + ")");
        }
        // One connection per caller and a few spare. With worker JVMs this process only runs set-as-processed and
        // the lease cells; each worker sizes its own pool for the sweep.
        return poolFor(sameJvm ? config.maxCallers() : config.ownCallers());
    }

    @Override
    int run(Session session) throws Exception {
        var dataSource = session.database.dataSource();
        // The bench's database is its own (a scratch database, or the embedded server's): set its durability for
        // every session that will connect to it — this pool's after an eviction, the worker JVMs', pgbench's.
        ServerSettings.setSynchronousCommit(dataSource, durable);
        session.database.pool().getHikariPoolMXBean().softEvictConnections();
        Map<String, BenchDeposits> deposits = new LinkedHashMap<>();
        Map<String, SetAsProcessed> processors = new LinkedHashMap<>();
        Map<String, DepositRunner> runners = new LinkedHashMap<>();
        List<Lockwise> built = new ArrayList<>();
        try {
            for (Strategy strategy : Strategy.values()) {
                CountingEvents counts = new CountingEvents();
                Lockwise lockwise = session.lockwise(strategy, counts);
                built.add(lockwise);
                if (sameJvm) {
                    deposits.put(strategy.label(), new LockwiseDeposits(lockwise, counts));
                }
                if (config.strategies().contains(strategy.label())) {
                    processors.put(strategy.label(), lockwise.setAsProcessed());
                }
            }
            if (sameJvm) {
                deposits.put(AtomicStatementDeposits.NAME, new AtomicStatementDeposits(dataSource));
                runners.putAll(DepositRunner.inThisJvm(dataSource, deposits));
            } else {
                for (String strategy : config.strategies()) {
                    runners.put(strategy, startWorker(session, strategy));
                }
            }
            List<String> why = new ArrayList<>();
            Optional<Pgbench> pgbenchRunner = config.pgbench()
                    ? Pgbench.detect(session.database.pool().getJdbcUrl(), session.database.pool().getUsername(),
                    session.database.pool().getPassword() == null ? "" : session.database.pool().getPassword(), why)
                    : Optional.empty();
            if (!config.pgbench()) {
                why.add("--no-pgbench");
            }
            String serverVersion;
            try (Connection connection = dataSource.getConnection()) {
                serverVersion = connection.getMetaData().getDatabaseProductVersion();
            }
            String preamble = preamble(session, serverVersion, ServerSettings.read(dataSource),
                    pgbenchRunner.isPresent(), why);
            PrintWriter text = report.json() ? new PrintWriter(Writer.nullWriter()) : out;
            text.println(preamble);
            text.flush();
            // A progress bar only for a person watching: not into a log, a pipe or a JSON stream.
            boolean toTerminal = progress && Terminal.stderr() && !report.json();
            Bench bench = new Bench(dataSource, runners, processors, session.get(LeaseLock.class), pgbenchRunner,
                    toTerminal ? Progress.bar() : Progress.NONE);
            List<CellResult> results = bench.run(config);
            text.println();
            text.print(Reports.table(results));
            text.println();
            text.println(Reports.intervalWidths(results));
            Reports.adaptiveAgainstTheBetterOfTheTwo(results).ifPresent(grid -> text.print("\n" + grid));
            Reports.batchedAgainstItsYardsticks(results).ifPresent(table -> text.print("\n" + table));
            double bound = config.p99Bound().toNanos() / 1e6;
            Reports.openLoop(results, bound).ifPresent(section -> text.print("\n" + section));
            List<Path> files = Reports.write(results, config.output(), preamble, bound);
            text.println();
            files.forEach(file -> text.println("wrote " + file));
            List<CellResult> failed = results.stream().filter(cell -> !cell.invariantHolds()).toList();
            for (CellResult cell : failed) {
                text.printf("INVARIANT FAILED: %s %s %d rows x %d callers: %s%n", cell.workload(), cell.strategy(),
                        cell.rows(), cell.callers(), cell.invariantDetail());
            }
            if (report.json()) {
                results.forEach(cell -> report.result("", cellFields(cell)));
            }
            report.result(failed.isEmpty() ? "All invariants held." : failed.size()
                    + " CELL(S) FAILED THEIR INVARIANT.", Report.fields("cells", results.size(),
                    "all_invariants_held", failed.isEmpty(), "files", files.stream().map(Path::toString).toList()));
            return failed.isEmpty() ? ExitCodes.OK : ExitCodes.REFUSED;
        } finally {
            runners.values().forEach(DepositRunner::close);
            built.forEach(Lockwise::close);
        }
    }

    private static Map<String, Object> cellFields(CellResult cell) {
        return Report.fields("workload", cell.workload(), "strategy", cell.strategy(), "rows", cell.rows(),
                "callers", cell.callers(), "operations", cell.operations(), "ops_per_second",
                Math.round(cell.operationsPerSecond()), "p50_ms", cell.p50Millis(), "p95_ms", cell.p95Millis(),
                "p99_ms", cell.p99Millis(), "conflicts", cell.conflicts(), "retries", cell.retries(),
                "exhausted", cell.exhausted(), "errors", cell.errors(), "invariant_holds", cell.invariantHolds(),
                "invariant_detail", cell.invariantDetail(),
                "pgbench_tps", cell.pgbenchTps().isPresent() ? cell.pgbenchTps().getAsDouble() : null,
                "round_rates", cell.roundRates(), "pgbench_round_rates", cell.pgbenchRoundRates(),
                "versus_pgbench", cell.versusPgbench().map(p -> Report.fields("ratio", p.ratio(), "lower", p.lower(),
                        "upper", p.upper(), "verdict", p.verdict().label())).orElse(null),
                "offered_per_second", cell.offeredRate() > 0 ? cell.offeredRate() : null,
                "round_p99_ms", cell.roundP99Millis().isEmpty() ? null : cell.roundP99Millis(),
                "p999_ms", cell.p999Millis());
    }

    /**
     * A JVM of its own for one strategy's deposits: this JVM's heap and GC options, this class path, and these
     * settings with this process's database (an embedded server included) passed in its environment — all but the
     * password, which goes in a properties file readable by this user only ({@code --config}), deleted as soon as
     * the worker has connected: a child's environment is readable in {@code /proc} for as long as it runs.
     */
    private DepositWorker startWorker(Session session, String strategy) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(argument -> argument.startsWith("-Xm") || argument.startsWith("-Xs")
                        || argument.startsWith("-D") || argument.startsWith("-XX:") && !argument.contains("FlightRecord"))
                .forEach(command::add);
        var pool = session.database.pool();
        Path secrets = Files.createTempFile("lockwise-bench-worker", ".properties");
        try {
            Properties password = new Properties();
            password.setProperty(Setting.DB_PASSWORD.key(), pool.getPassword() == null ? "" : pool.getPassword());
            try (Writer out = Files.newBufferedWriter(secrets, StandardCharsets.UTF_8)) {
                password.store(out, null);
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), LockwiseCommand.class.getName(),
                    "bench-worker", "--config", secrets.toString(), strategy));
            Map<String, String> environment = new LinkedHashMap<>(session.settings.asEnvironment());
            environment.remove(Setting.DB_PASSWORD.environmentVariable());
            environment.put(Setting.DB_URL.environmentVariable(), pool.getJdbcUrl());
            environment.put(Setting.DB_USER.environmentVariable(), pool.getUsername());
            environment.put(Setting.MIGRATE.environmentVariable(), "false");
            environment.put(Setting.POOL_SIZE.environmentVariable(), Integer.toString(workerPoolSize(session)));
            return DepositWorker.start(strategy, command, environment);
        } finally {
            Files.deleteIfExists(secrets);
        }
    }

    /** A worker runs the sweep and the seed: the pool the same JVM would have had. */
    private int workerPoolSize(Session session) {
        return session.settings.sourceOf(Setting.POOL_SIZE).equals("default")
                ? poolFor(config.maxCallers()) : session.settings.poolSize();
    }

    /** One connection per caller and a few spare, within the pool's limit. */
    private static int poolFor(int callers) {
        return Math.min(500, callers + 4);
    }

    private String preamble(Session session, String serverVersion, ServerSettings server, boolean pgbenchRuns,
                            List<String> why) {
        Runtime runtime = Runtime.getRuntime();
        return String.format("# lockwise bench%n%n"
                        + "- machine: %d cores, JVM %s (%s), max heap %d MiB%n"
                        + "- database: PostgreSQL %s at %s, pool size %s (HikariCP)%n"
                        + "- durability: %s%n"
                        + "- server settings: %s%n"
                        + "- cells: %s; %d accounts levels x %d caller counts; warm-up %s, measured %s each,"
                        + " in %d round(s) with the strategies' order rotated; %s%n"
                        + "- retry: %d attempts, %s to %s backoff; lock timeout %s%n"
                        + "- pgbench side by side: %s%n",
                runtime.availableProcessors(), System.getProperty("java.version"), System.getProperty("java.vm.name"),
                runtime.maxMemory() >> 20, serverVersion, session.database.displayUrl(), sameJvm ? Integer.toString(session.settings.poolSize())
                        : session.settings.poolSize() + " here, " + workerPoolSize(session) + " in each worker JVM",
                server.durabilityLabel(), server.summary(),
                String.join(",", config.strategies()), config.accounts().size(), config.callers().size(),
                Durations.format(config.warmup()), Durations.format(config.duration()), config.rounds(),
                sameJvm ? "all strategies in one JVM" : "each strategy's deposits in a JVM of its own",
                session.settings.retryPolicy().maxAttempts(),
                Durations.format(session.settings.retryPolicy().initialBackoff()),
                Durations.format(session.settings.retryPolicy().maxBackoff()),
                Durations.format(session.settings.lockTimeout()),
                pgbenchRuns ? "yes (same SQL, same client count, -M prepared)" : "no (" + String.join("; ", why) + ")");
    }
}
