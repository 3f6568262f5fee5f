package dev.lockwise.cli;

import dev.lockwise.adapter.lock.ExclusiveRunLog;
import dev.lockwise.application.Deposit;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.cli.config.ConfigException;
import dev.lockwise.cli.config.Durations;
import dev.lockwise.domain.DatabaseUnavailableException;
import dev.lockwise.domain.LockwiseException;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.lease.LockUnavailableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load from one process, for soak and fault tests across several processes: deposits that are exactly-once even
 * when connections drop (each carries a request id and is retried with the same id until acknowledged), and lease
 * holds recorded with fenced writes. Prints one summary line that a test can parse.
 */
@Command(name = "workload", mixinStandardHelpOptions = true, description = "Generate load from this process.",
        subcommands = {WorkloadCommand.Deposits.class, WorkloadCommand.Lease.class})
final class WorkloadCommand {

    @Command(name = "deposits", mixinStandardHelpOptions = true,
            description = "Deposits of random amounts into the given accounts, exactly-once (or plain, --plain); prints"
                    + " 'acknowledged=N cents=M failed=F'.")
    static final class Deposits extends SessionCommand {
        @Option(names = "--usernames", split = ",", required = true, paramLabel = "NAME")
        List<String> usernames;

        @Option(names = "--count", paramLabel = "N", description = "Deposits in all (default 100).")
        int count = 100;

        @Option(names = "--concurrency", paramLabel = "N", description = "Threads (default 4).")
        int concurrency = 4;

        @Option(names = "--give-up-after", paramLabel = "DURATION",
                description = "How long one deposit may keep retrying while the database is unavailable (default 60s).")
        String giveUpAfter = "60s";

        @Option(names = "--plain", description = "Plain deposits by account id, without a request id (what the"
                + " batched strategy groups): one whose outcome is unknown (the database unreachable) is counted as"
                + " failed, not retried, since a retry could apply it twice.")
        boolean plain;

        private List<Username> accounts;
        private Duration patience;

        @Override
        void validate() {
            accounts = usernames.stream().map(Username::new).toList();
            if (count < 1 || count > 10_000_000 || concurrency < 1 || concurrency > 256) {
                throw new ConfigException("--count must be 1 to 10000000 and --concurrency 1 to 256");
            }
            patience = Durations.parse(giveUpAfter);
        }

        @Override
        int connections(dev.lockwise.cli.config.Settings settings) {
            return concurrency + 1;
        }

        @Override
        int run(Session session) throws Exception {
            Deposit deposit = session.get(Deposit.class);
            AccountRepository repository = session.get(AccountRepository.class);
            List<AccountId> ids = plain ? accounts.stream().map(username -> repository.find(username)
                    .orElseThrow(() -> new AccountNotFoundException(username)).id()).toList() : List.of();
            String prefix = ProcessHandle.current().pid() + "-" + Long.toString(System.nanoTime(), 36) + "-";
            AtomicLong next = new AtomicLong();
            AtomicLong acknowledged = new AtomicLong();
            AtomicLong cents = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            AtomicLong unavailable = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(concurrency);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < concurrency; t++) {
                futures.add(pool.submit(() -> {
                    long n;
                    while ((n = next.incrementAndGet()) <= count) {
                        int target = ThreadLocalRandom.current().nextInt(accounts.size());
                        long amount = 1 + ThreadLocalRandom.current().nextInt(1000);
                        if (plain) {
                            try {
                                deposit.depositTo(ids.get(target), Money.ofCents(amount));
                                acknowledged.incrementAndGet();
                                cents.addAndGet(amount);
                            } catch (DatabaseUnavailableException e) {
                                unavailable.incrementAndGet();
                                failed.incrementAndGet();
                            } catch (LockwiseException e) {
                                failed.incrementAndGet();
                            }
                            continue;
                        }
                        RequestId request = new RequestId(prefix + n);
                        long deadline = System.nanoTime() + patience.toNanos();
                        while (true) {
                            try {
                                DepositReceipt receipt = deposit.depositOnce(request, accounts.get(target),
                                        Money.ofCents(amount));
                                acknowledged.incrementAndGet();
                                cents.addAndGet(receipt.amount().amount().movePointRight(2).longValueExact());
                                break;
                            } catch (DatabaseUnavailableException e) {
                                // Outcome unknown: retry with the same request id, which can never apply twice.
                                unavailable.incrementAndGet();
                                if (System.nanoTime() - deadline > 0) {
                                    failed.incrementAndGet();
                                    break;
                                }
                                Thread.sleep(50);
                            } catch (LockwiseException e) {
                                failed.incrementAndGet();
                                break;
                            }
                        }
                    }
                    return null;
                }));
            }
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.DAYS);
            for (Future<?> future : futures) {
                future.get();
            }
            report.result(String.format("acknowledged=%d cents=%d failed=%d unavailable=%d", acknowledged.get(),
                    cents.get(), failed.get(), unavailable.get()), Report.fields("acknowledged", acknowledged.get(),
                    "cents", cents.get(), "failed", failed.get(), "unavailable", unavailable.get()));
            return failed.get() == 0 ? ExitCodes.OK : ExitCodes.REFUSED;
        }
    }

    @Command(name = "lease", mixinStandardHelpOptions = true,
            description = "Hold a lease COUNT times for HOLD each, recording every hold with fenced writes in"
                    + " exclusive_run; a hold cut short by the database becoming unreachable (a failover) is"
                    + " retried; a hold the watchdog stops still writes its end (fenced), as a task's clean-up"
                    + " would; prints 'holds=N unavailable=U lost=L outages=O refused=R' (R: fenced writes the"
                    + " database refused).")
    static final class Lease extends SessionCommand {
        @Option(names = "--lock", required = true, paramLabel = "NAME")
        String lock;

        @Option(names = "--count", paramLabel = "N", description = "Holds (default 5).")
        int count = 5;

        @Option(names = "--hold", paramLabel = "DURATION", description = "Time per hold (default 200ms).")
        String hold = "200ms";

        @Option(names = "--ttl", paramLabel = "DURATION", description = "Lease ttl (default 2s).")
        String ttl = "2s";

        @Option(names = "--renew-every", paramLabel = "DURATION", description = "Renewal (default ttl/3).")
        String renewEvery;

        @Option(names = "--wait", paramLabel = "DURATION", description = "Wait for the lease (default 30s).")
        String wait = "30s";

        @Option(names = "--holder", paramLabel = "NAME", description = "Name recorded for this holder (default pid).")
        String holder = Long.toString(ProcessHandle.current().pid());

        @Option(names = "--give-up-after", paramLabel = "DURATION",
                description = "How long the database may stay unreachable before the workload gives up with exit 3"
                        + " (default 60s).")
        String giveUpAfter = "60s";

        private LockId lockId;
        private Duration patience;
        private LeaseTerms terms;
        private Duration holdFor;

        @Override
        void validate() {
            lockId = new LockId(lock);
            terms = LeaseTerms.tryOnce(Durations.parse(ttl)).waitingUpTo(Durations.parse(wait));
            if (renewEvery != null) {
                terms = terms.renewingEvery(Durations.parse(renewEvery));
            }
            holdFor = Durations.parse(hold);
            patience = Durations.parse(giveUpAfter);
        }

        @Override
        int connections(dev.lockwise.cli.config.Settings settings) {
            return dev.lockwise.adapter.lock.JdbcLeaseLock.KEEP_IDLE + 1; // the lease's reserve, the fenced log
        }

        @Override
        int run(Session session) {
            RunExclusive runExclusive = session.get(RunExclusive.class);
            ExclusiveRunLog log = new ExclusiveRunLog(session.database.dataSource(), session.settings.leaseTable());
            int holds = 0;
            int unavailable = 0;
            int lost = 0;
            int outages = 0;
            AtomicInteger refused = new AtomicInteger();
            long unreachableSince = 0;
            for (int i = 0; i < count; i++) {
                try {
                    runExclusive.run(lockId, terms, lease -> {
                        try {
                            hold(log, lease);
                        } catch (LeaseLostException refusedByTheDatabase) {
                            refused.incrementAndGet();
                            throw refusedByTheDatabase;
                        }
                        return null;
                    });
                    holds++;
                    unreachableSince = 0;
                } catch (DatabaseUnavailableException e) {
                    // A failover or restart: the hold (if it began) is cut short, its fenced records say how far it
                    // got; it is tried again, until the database has been unreachable for longer than the patience.
                    outages++;
                    long now = System.nanoTime();
                    unreachableSince = unreachableSince == 0 ? now : unreachableSince;
                    if (now - unreachableSince > patience.toNanos()) {
                        throw e;
                    }
                    i--;
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                } catch (LockUnavailableException e) {
                    unavailable++;
                } catch (LeaseLostException e) {
                    lost++;
                    err().println("lockwise: lost: " + e.getMessage());
                    err().flush();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            report.result(String.format("holds=%d unavailable=%d lost=%d outages=%d refused=%d", holds, unavailable,
                    lost, outages, refused.get()), Report.fields("holds", holds, "unavailable", unavailable, "lost",
                    lost, "outages", outages, "refused", refused.get()));
            return lost > 0 ? ExitCodes.LEASE_LOST : ExitCodes.OK;
        }

        /**
         * Records the start, a heartbeat every 50 ms and the end, each a fenced write. When the watchdog stops the hold
         * (the lease may be gone), the end is still written, as a task's clean-up would be: the database refuses it
         * if another holder has the lease by then, and the refusal is counted.
         */
        private void hold(ExclusiveRunLog log, dev.lockwise.domain.lease.Lease lease) throws InterruptedException {
            log.start(lease, holder);
            long until = System.nanoTime() + holdFor.toNanos();
            try {
                while (System.nanoTime() - until < 0) {
                    Thread.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
                    log.beat(lease);
                }
            } catch (InterruptedException stopped) {
                // The interrupt status is clear here (a pool may refuse an interrupted thread); restored after.
                try {
                    log.end(lease);
                } catch (DatabaseUnavailableException unreachable) {
                    stopped.addSuppressed(unreachable); // nothing was refused: the stop is what is reported
                } finally {
                    Thread.currentThread().interrupt();
                }
                throw stopped;
            }
            log.end(lease);
        }
    }
}
