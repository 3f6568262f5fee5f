package dev.lockwise.cli;

import com.google.inject.Injector;
import dev.lockwise.adapter.lock.FencedJdbcVerFactProcessor;
import dev.lockwise.application.Deposit;
import dev.lockwise.application.OpenAccount;
import dev.lockwise.application.RecordVerFact;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.cli.config.ConfigException;
import dev.lockwise.cli.config.Setting;
import dev.lockwise.cli.config.Settings;
import dev.lockwise.cli.db.DatabaseRuntime;
import dev.lockwise.cli.demo.Demo;
import dev.lockwise.cli.metrics.MetricsSummary;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.verfact.VerFactRepository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run and narrate the scenarios: verfacts (workers racing to process rows), deposits (1000"
                + " deposits over 100 accounts, 100 callers) and exclusive (workers racing for one lease).")
final class DemoCommand extends SessionCommand {
    @Override
    DatabaseRuntime.Use use() {
        return DatabaseRuntime.Use.SCRATCH;
    }

    @Option(names = "--scenario", split = ",", paramLabel = "NAME",
            description = "Which scenarios: verfacts, deposits, exclusive (default: all).")
    List<String> scenarios = List.of("verfacts", "deposits", "exclusive");

    @Option(names = "--compare", description = "Run verfacts and deposits with every strategy in turn, side by side.")
    boolean compare;

    @Option(names = "--workers", paramLabel = "N", description = "Verfact workers (default 10, env LOCKWISE_DEMO_WORKERS).")
    String workers;

    @Option(names = "--deposits", paramLabel = "N", description = "Deposits (default 1000).")
    String deposits;

    @Option(names = "--accounts", paramLabel = "N", description = "Accounts (default 100).")
    String accounts;

    @Option(names = "--callers", paramLabel = "N", description = "Concurrent callers (default 100).")
    String callers;

    @Override
    void validate() {
        for (String scenario : scenarios) {
            if (!List.of("verfacts", "deposits", "exclusive").contains(scenario)) {
                throw new ConfigException("unknown scenario '" + scenario
                        + "'; valid choices: verfacts, deposits, exclusive");
            }
        }
    }

    @Override
    int connections(Settings settings) {
        // Its busiest scenario's callers at once, and two for the lease's renewals beside them.
        int verfactWorkers = workers != null ? settings.with(Setting.DEMO_WORKERS, workers).demoWorkers()
                : settings.demoWorkers();
        int depositCallers = callers != null ? settings.with(Setting.DEMO_CALLERS, callers).demoCallers()
                : settings.demoCallers();
        return Math.max(Math.max(verfactWorkers, depositCallers), 4) + 2;
    }

    @Override
    int run(Session session) throws Exception {
        Settings settings = session.settings;
        if (workers != null) {
            settings = settings.with(Setting.DEMO_WORKERS, workers);
        }
        if (deposits != null) {
            settings = settings.with(Setting.DEMO_DEPOSITS, deposits);
        }
        if (accounts != null) {
            settings = settings.with(Setting.DEMO_ACCOUNTS, accounts);
        }
        if (callers != null) {
            settings = settings.with(Setting.DEMO_CALLERS, callers);
        }
        Demo.Sizes sizes = new Demo.Sizes(settings.demoWorkers(), settings.demoDeposits(), settings.demoAccounts(),
                settings.demoCallers(), 4);
        // In JSON mode the narration goes nowhere and one object sums the run up.
        PrintWriter text = report.json() ? new PrintWriter(Writer.nullWriter()) : out;
        text.printf("Lockwise demo on %s%n", session.database.displayUrl());
        boolean ok = true;
        List<Strategy> strategies = compare ? List.of(Strategy.values()) : List.of(settings.strategy());
        for (Strategy strategy : strategies) {
            List<String> perStrategy = scenarios.stream()
                    .filter(s -> !compare || !s.equals("exclusive") || strategy == strategies.get(0)).toList();
            ok &= new Demo(parts(session, strategy), sizes, text).run(perStrategy);
        }
        text.println();
        text.println("Metrics (Micrometer):");
        MetricsSummary.lines(session.meters).forEach(text::println);
        text.println();
        report.result(ok ? "All checks passed." : "SOME CHECKS FAILED.", Report.fields("all_checks_passed", ok,
                "strategies", strategies.stream().map(Strategy::label).toList(), "scenarios", scenarios));
        return ok ? ExitCodes.OK : ExitCodes.REFUSED;
    }

    private Demo.Parts parts(Session session, Strategy strategy) {
        Injector wired = session.injector(strategy);
        return new Demo.Parts(strategy, wired.getInstance(OpenAccount.class), wired.getInstance(Deposit.class),
                wired.getInstance(AccountRepository.class), wired.getInstance(RecordVerFact.class),
                wired.getInstance(SetAsProcessed.class), wired.getInstance(VerFactRepository.class),
                wired.getInstance(RunExclusive.class),
                new FencedJdbcVerFactProcessor(session.database.dataSource(), session.settings.leaseTable(),
                        session.settings.lockTimeout()),
                session.counts, narrator);
    }
}
