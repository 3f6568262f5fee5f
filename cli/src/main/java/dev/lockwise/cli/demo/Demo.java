package dev.lockwise.cli.demo;

import dev.lockwise.application.Deposit;
import dev.lockwise.application.OpenAccount;
import dev.lockwise.application.ProcessingOutcome;
import dev.lockwise.application.RecordVerFact;
import dev.lockwise.application.RunExclusive;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.domain.LockwiseException;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.lease.FencedVerFactProcessor;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactRepository;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scenarios the project grew from, narrated: workers racing to process verfacts, many callers depositing into
 * shared accounts, and workers racing for one lease around a long task. Each ends with a check of its invariant;
 * {@link #run} returns false if any check failed.
 */
public final class Demo {
    /** What the scenarios need, as built by the wiring for one strategy. */
    public record Parts(Strategy strategy, OpenAccount openAccount, Deposit deposit, AccountRepository accounts,
                        RecordVerFact recordVerFact, SetAsProcessed setAsProcessed, VerFactRepository verFacts,
                        RunExclusive runExclusive, FencedVerFactProcessor fencedProcessor, CountingEvents counts,
                        Narrator narrator) {
    }

    /** Sizes, from the demo.* settings. */
    public record Sizes(int workers, int deposits, int accounts, int callers, int leaseWorkers) {
    }

    private final Parts parts;
    private final Sizes sizes;
    private final PrintWriter out;
    private final String runId = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    public Demo(Parts parts, Sizes sizes, PrintWriter out) {
        this.parts = parts;
        this.sizes = sizes;
        this.out = out;
    }

    public boolean run(List<String> scenarios) throws Exception {
        boolean ok = true;
        for (String scenario : scenarios) {
            ok &= switch (scenario) {
                case "verfacts" -> verfacts();
                case "deposits" -> deposits();
                case "exclusive" -> exclusive();
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            };
        }
        return ok;
    }

    private void say(String format, Object... args) {
        synchronized (out) {
            out.printf(format + "%n", args);
            out.flush();
        }
    }

    // ---- 1. verfacts ------------------------------------------------------------------------------------------

    boolean verfacts() throws Exception {
        String strategy = parts.strategy().label();
        say("%n== verfacts (%s): %d workers each insert a fact, then mark a random fact processed ==", strategy,
                sizes.workers());
        Set<Long> mine = ConcurrentHashMap.newKeySet();
        AtomicInteger already = new AtomicInteger();
        List<VerFactId> inserted = Collections.synchronizedList(new ArrayList<>());
        parts.narrator().tellConflicts(true);
        try {
            concurrently(sizes.workers(), 1, worker -> {
                VerFact fact = parts.recordVerFact().record();
                inserted.add(fact.id());
                List<VerFactId> ids = new ArrayList<>(inserted);
                VerFactId pick = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                ProcessingOutcome outcome = parts.setAsProcessed().process(pick);
                if (outcome == ProcessingOutcome.PROCESSED_BY_THIS_CALL) {
                    mine.add(pick.value());
                    say("  worker %2d inserted fact %d, processed fact %d", worker, fact.id().value(), pick.value());
                } else {
                    already.incrementAndGet();
                    say("  worker %2d inserted fact %d; fact %d was already processed by another worker", worker,
                            fact.id().value(), pick.value());
                }
            });
        } finally {
            parts.narrator().tellConflicts(false);
        }
        List<VerFact> facts = parts.verFacts().findAll().stream()
                .filter(f -> inserted.contains(f.id())).toList();
        say("%n  %4s | %-5s | %-9s | %s", "id", "state", "processed", "version");
        say("  -----+-------+-----------+--------");
        for (VerFact fact : facts) {
            say("  %4d | %-5s | %-9s | %d", fact.id().value(), fact.state().code(), fact.processed(), fact.version());
        }
        long processed = facts.stream().filter(VerFact::processed).count();
        boolean versionsRight = facts.stream().allMatch(f -> f.version() == (f.processed() ? 2 : 1));
        boolean ok = versionsRight && processed == mine.size();
        say("%n  inserted %d, processed %d (each exactly once), already processed %d, conflicts retried %d",
                facts.size(), processed, already.get(),
                parts.counts().count(Operation.SET_AS_PROCESSED, parts.strategy(), "retry"));
        say("  check: processed rows have version 2, the rest 1, and winners = processed rows ... %s",
                ok ? "OK" : "FAILED");
        return ok;
    }

    // ---- 2. deposits ------------------------------------------------------------------------------------------

    boolean deposits() throws Exception {
        Strategy strategy = parts.strategy();
        say("%n== deposits (%s): %d deposits of 1.00 over %d accounts with %d concurrent callers ==",
                strategy.label(), sizes.deposits(), sizes.accounts(), sizes.callers());
        List<Account> accounts = new ArrayList<>();
        for (int i = 0; i < sizes.accounts(); i++) {
            accounts.add(parts.openAccount().open(new Username("demo-" + runId + "-" + i), Money.ZERO));
        }
        long conflictsBefore = parts.counts().count(Operation.DEPOSIT, strategy, "conflict");
        long retriesBefore = parts.counts().count(Operation.DEPOSIT, strategy, "retry");
        long exhaustedBefore = parts.counts().count(Operation.DEPOSIT, strategy, "exhausted");
        AtomicLong acknowledged = new AtomicLong();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        long started = System.nanoTime();
        concurrently(sizes.callers(), 1, caller -> {
            while (next.getAndIncrement() < sizes.deposits()) {
                Account target = accounts.get(ThreadLocalRandom.current().nextInt(accounts.size()));
                try {
                    parts.deposit().depositTo(target.id(), Money.of("1.00"));
                    acknowledged.incrementAndGet();
                } catch (LockwiseException e) {
                    failed.incrementAndGet();
                    say("  deposit failed: %s", e.getMessage());
                }
            }
        });
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        BigDecimal total = BigDecimal.ZERO;
        for (Account account : accounts) {
            total = total.add(parts.accounts().find(account.id()).orElseThrow().balance().amount());
        }
        BigDecimal expected = BigDecimal.valueOf(acknowledged.get()).setScale(2);
        boolean ok = total.compareTo(expected) == 0 && failed.get() == 0;
        say("  elapsed %d ms (%.0f deposits/s), conflicts %d, retries %d, exhausted %d, failed %d",
                elapsed.toMillis(), acknowledged.get() / Math.max(1e-9, elapsed.toNanos() / 1e9),
                parts.counts().count(Operation.DEPOSIT, strategy, "conflict") - conflictsBefore,
                parts.counts().count(Operation.DEPOSIT, strategy, "retry") - retriesBefore,
                parts.counts().count(Operation.DEPOSIT, strategy, "exhausted") - exhaustedBefore, failed.get());
        say("  check: total balance %s = sum deposited %s ... %s", total.toPlainString(), expected.toPlainString(),
                ok ? "OK" : "FAILED");
        return ok;
    }

    // ---- 3. exclusive -----------------------------------------------------------------------------------------

    boolean exclusive() throws Exception {
        LockId lockId = new LockId("demo-exclusive-" + runId);
        LeaseTerms terms = new LeaseTerms(Duration.ofMillis(1_000), Duration.ofMillis(300), Duration.ofSeconds(30));
        say("%n== exclusive: %d workers race for lease '%s' (ttl 1s, renewed every 300ms) around a 1.2s task ==",
                sizes.leaseWorkers(), lockId);
        for (int i = 0; i < sizes.leaseWorkers() * 5; i++) {
            parts.recordVerFact().record();
        }
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        List<Long> generations = Collections.synchronizedList(new ArrayList<>());
        parts.narrator().tellLeases(true);
        try {
            concurrently(sizes.leaseWorkers(), 1, worker -> parts.runExclusive().run(lockId, terms, lease -> {
                maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                generations.add(lease.generation());
                say("  worker %d holds the lease, generation %d (fencing token)", worker, lease.generation());
                int processed = parts.fencedProcessor().processPending(lease, 5);
                Thread.sleep(1_200);
                say("  worker %d done: processed %d facts under the fence, releasing generation %d", worker,
                        processed, lease.generation());
                holders.decrementAndGet();
                return null;
            }));
        } finally {
            parts.narrator().tellLeases(false);
        }
        boolean increasing = true;
        for (int i = 1; i < generations.size(); i++) {
            increasing &= generations.get(i) > generations.get(i - 1);
        }
        boolean ok = maxHolders.get() == 1 && increasing && generations.size() == sizes.leaseWorkers();
        say("  check: holders never overlapped (max %d at once), generations %s strictly increase ... %s",
                maxHolders.get(), generations, ok ? "OK" : "FAILED");
        return ok;
    }

    @FunctionalInterface
    interface Worker {
        void run(int worker) throws Exception;
    }

    private static void concurrently(int threads, int times, Worker work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 1; t <= threads; t++) {
            int worker = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < times; i++) {
                    work.run(worker);
                }
                return null;
            }));
        }
        start.countDown();
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
            pool.shutdownNow();
            throw new IllegalStateException("demo workers did not finish within 10 minutes");
        }
        for (Future<?> future : futures) {
            try {
                future.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                throw e;
            }
        }
    }
}
