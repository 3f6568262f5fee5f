package dev.lockwise.cli;

import dev.lockwise.adapter.lock.JdbcLeaseLock;
import dev.lockwise.cli.ExitCodes;
import dev.lockwise.cli.LockwiseCommand;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command end to end, in-process, against the test database; exit codes and messages as documented. */
class CommandLineIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(4);

    record Result(int code, String out, String err) {
    }

    static Map<String, String> databaseEnvironment() {
        return environmentFor(DB);
    }

    /** The LOCKWISE_* environment that points the command line at {@code database}. */
    static Map<String, String> environmentFor(TestDatabase database) {
        Map<String, String> env = new HashMap<>();
        env.put("LOCKWISE_DB_URL", database.jdbcUrl());
        env.put("LOCKWISE_DB_USER", database.user());
        env.put("LOCKWISE_DB_PASSWORD", database.password());
        env.put("LOCKWISE_DB_POOL_SIZE", "4");
        return env;
    }

    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = LockwiseCommand.commandLine(env);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return run(databaseEnvironment(), args);
    }

    @BeforeEach
    void clean() {
        DB.truncateAll();
    }

    @ParameterizedTest
    @ValueSource(strings = {"optimistic", "pessimistic", "adaptive", "batched"})
    void everyCommandWorksEndToEndWithEachStrategy(String strategy) {
        Result opened = run("account", "open", "--username", "alice", "--balance", "5", "--strategy", strategy);
        assertThat(opened.code()).as(opened.err()).isZero();
        assertThat(opened.out()).contains("opened account").contains("'alice'").contains("5.00");

        Result byName = run("deposit", "--username", "alice", "--amount", "2.50", "--strategy", strategy);
        assertThat(byName.code()).as(byName.err()).isZero();
        assertThat(byName.out()).contains("balance 7.50").contains("version 1").contains(strategy);
        long id = (Long) DB.queryValue("SELECT id FROM account WHERE username = 'alice'");
        Result byId = run("--strategy", strategy, "deposit", "--account-id", Long.toString(id), "--amount", "0.50");
        assertThat(byId.code()).as(byId.err()).isZero();
        assertThat(byId.out()).contains("balance 8.00").contains(strategy);

        Result added = run("verfact", "add", "--strategy", strategy);
        assertThat(added.code()).isZero();
        long factId = (Long) DB.queryValue("SELECT max(id) FROM verfact");
        assertThat(run("verfact", "process", "--id", Long.toString(factId), "--strategy", strategy).out())
                .contains("processed by this call");
        assertThat(run("verfact", "process", "--id", Long.toString(factId), "--strategy", strategy).out())
                .contains("was already processed");
        assertThat(run("verfact", "list").out()).contains("| P     | true      | 2");
        assertThat(run("migrate").out()).contains("Migrations applied");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "0.001", "1e20", "abc"})
    void invalidAmountsExitWith2AndWriteNothing(String amount) {
        run("account", "open", "--username", "bob", "--balance", "1");
        Result result = run("deposit", "--username", "bob", "--amount", amount);
        assertThat(result.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(result.err()).startsWith("lockwise: ").contains("amount").doesNotContain("\tat ");
        assertThat((BigDecimal) DB.queryValue("SELECT balance FROM account WHERE username = 'bob'"))
                .isEqualByComparingTo("1.00");
        assertThat(DB.queryValue("SELECT version FROM account WHERE username = 'bob'")).isEqualTo(0L);
    }

    @Test
    void usernamesInEitherUnicodeFormAreOneAccountAndLookAlikesAndForeignDigitsAreRefused() {
        Result composed = run("account", "open", "--username", "\u00e9mile", "--balance", "1");
        assertThat(composed.code()).as(composed.err()).isZero();
        Result decomposed = run("account", "open", "--username", "e\u0301mile");
        assertThat(decomposed.code()).as("the same account: a duplicate").isEqualTo(ExitCodes.REFUSED);
        assertThat(run("deposit", "--username", "e\u0301mile", "--amount", "2").code()).isZero();
        assertThat((BigDecimal) DB.queryValue("SELECT balance FROM account WHERE username = ?", "\u00e9mile"))
                .isEqualByComparingTo("3.00");

        Result zeroWidth = run("account", "open", "--username", "\u00e9mile\u200b");
        assertThat(zeroWidth.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(zeroWidth.err()).contains("U+200B");
        assertThat(run("account", "open", "--username", "admin\u202etxt.exe").code()).isEqualTo(ExitCodes.INVALID);
        Result fullwidth = run("deposit", "--username", "\u00e9mile", "--amount", "\uff11\uff12");
        assertThat(fullwidth.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(fullwidth.err()).contains("ASCII digits");
        assertThat(DB.queryValue("SELECT count(*) FROM account")).isEqualTo(1L);
        assertThat((BigDecimal) DB.queryValue("SELECT sum(balance) FROM account")).isEqualByComparingTo("3.00");
    }

    @Test
    void refusalsAndBadConfigurationHaveTheirExitCodes() {
        Result unknown = run("deposit", "--username", "nobody", "--amount", "1");
        assertThat(unknown.code()).isEqualTo(ExitCodes.REFUSED);
        assertThat(unknown.err()).contains("no account with username 'nobody'");

        assertThat(run("verfact", "process", "--id", "999999").code()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run("verfact", "process", "--id", "x").code()).isEqualTo(ExitCodes.INVALID);
        run("account", "open", "--username", "dup");
        assertThat(run("account", "open", "--username", "dup").code()).isEqualTo(ExitCodes.REFUSED);

        Result strategy = run("deposit", "--username", "dup", "--amount", "1", "--strategy", "optimstic");
        assertThat(strategy.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(strategy.err()).contains("strategy").contains("optimstic").contains("optimistic, pessimistic, adaptive or batched");

        assertThat(run("deposit", "--username", "dup").code()).as("usage error").isEqualTo(ExitCodes.INVALID);
        assertThat(run("--db-url", "mysql://nope", "verfact", "add").code()).isEqualTo(ExitCodes.INVALID);
        assertThat(DB.queryValue("SELECT count(*) FROM verfact")).isEqualTo(0L);
    }

    @Test
    void anUnreachableDatabaseIsOneLineAndExit3AndThePasswordNeverShows() {
        Map<String, String> env = databaseEnvironment();
        env.put("LOCKWISE_DB_URL", "jdbc:postgresql://127.0.0.1:1/nothing?password=url-secret");
        env.put("LOCKWISE_DB_PASSWORD", "env-secret-123");
        Result result = run(env, "deposit", "--username", "a", "--amount", "1");
        assertThat(result.code()).isEqualTo(ExitCodes.DATABASE_UNAVAILABLE);
        assertThat(result.err().strip().lines()).hasSize(1);
        assertThat(result.err()).contains("cannot connect").doesNotContain("env-secret-123").doesNotContain("url-secret");
        assertThat(result.out()).doesNotContain("env-secret-123");

        Result help = run(env, "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Usage: lockwise").doesNotContain("env-secret-123");
    }

    @Test
    void exclusivePassesTheCommandsExitCodeAndFencingTokenThrough() throws Exception {
        Result result = run("exclusive", "--lock", "cron-job", "--ttl", "5s", "--", "sh", "-c",
                "test \"$LOCKWISE_LEASE_GENERATION\" = 1 && test \"$LOCKWISE_LOCK_ID\" = cron-job && exit 7");
        assertThat(result.code()).as(result.err()).isEqualTo(7);
        assertThat(run("exclusive", "--lock", "cron-job", "--ttl", "5s", "--", "true").code()).isZero();
        assertThat(DB.queryValue("SELECT generation FROM lockwise_lease WHERE lock_id = 'cron-job'")).isEqualTo(2L);
    }

    @Test
    void exclusiveExitsWith75WhenTheLockIsHeldElsewhere() {
        try (JdbcLeaseLock lock = new JdbcLeaseLock(DB.dataSource(), LeaseTable.DEFAULT)) {
            lock.tryAcquire(new LockId("busy"), Duration.ofMinutes(1), Duration.ofSeconds(5)).orElseThrow();
        }
        Result result = run("exclusive", "--lock", "busy", "--ttl", "5s", "--wait", "300ms", "--", "true");
        assertThat(result.code()).isEqualTo(ExitCodes.LOCK_UNAVAILABLE);
        assertThat(result.err()).contains("busy").contains("300ms");
    }

    @Test
    void exclusiveTerminatesTheCommandAndExitsWith76WhenTheLeaseIsLost() throws Exception {
        CompletableFuture<Result> running = CompletableFuture.supplyAsync(() -> run("exclusive", "--lock", "stolen",
                "--ttl", "1s", "--renew-every", "200ms", "--", "sleep", "30"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((Long) DB.queryValue("SELECT count(*) FROM lockwise_lease WHERE lock_id = 'stolen'") == 0) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(50);
        }
        // Another owner takes the lease over (as after a pause longer than the ttl).
        DB.execute("UPDATE lockwise_lease SET generation = generation + 1 WHERE lock_id = 'stolen'");
        Result result = running.get(20, TimeUnit.SECONDS);
        assertThat(result.code()).isEqualTo(ExitCodes.LEASE_LOST);
        assertThat(result.err()).contains("lost").contains("terminated");
    }

    @Test
    void badLeaseParametersAreRefusedBeforeAnySql() {
        assertThat(run("exclusive", "--lock", "", "--ttl", "5s", "--", "true").code()).isEqualTo(ExitCodes.INVALID);
        assertThat(run("exclusive", "--lock", "x".repeat(10_000), "--ttl", "5s", "--", "true").code())
                .isEqualTo(ExitCodes.INVALID);
        assertThat(run("exclusive", "--lock", "j", "--ttl", "0", "--", "true").code()).isEqualTo(ExitCodes.INVALID);
        assertThat(run("exclusive", "--lock", "j", "--ttl", "-5s", "--", "true").code()).isEqualTo(ExitCodes.INVALID);
        assertThat(run("exclusive", "--lock", "j", "--ttl", "9999d", "--", "true").code()).isEqualTo(ExitCodes.INVALID);
        Result renew = run("exclusive", "--lock", "j", "--ttl", "5s", "--renew-every", "5s", "--", "true");
        assertThat(renew.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(renew.err()).contains("shorter than the ttl");
        Result margin = run("exclusive", "--lock", "j", "--ttl", "4s", "--renew-every", "3s", "--margin", "1s", "--",
                "true");
        assertThat(margin.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(margin.err()).contains("renew interval (3s) plus safety margin (1s) must be shorter than the ttl (4s)");
        assertThat(run("exclusive", "--lock", "j", "--ttl", "4s", "--margin", "0", "--", "true").err())
                .contains("margin must be at least 10ms, got 0ms");
        Result grace = run("exclusive", "--lock", "j", "--ttl", "4s", "--renew-every", "1s", "--grace", "3s", "--",
                "true");
        assertThat(grace.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(grace.err()).contains("--grace (3s) must be positive and at most half of ttl - margin - renewal"
                + " interval (4s - 400ms - 1s = 2600ms)");
        assertThat(DB.queryValue("SELECT count(*) FROM lockwise_lease")).isEqualTo(0L);
    }

    @Test
    void badBenchParametersAreRefusedBeforeTheBenchTouchesTheDatabase() {
        // The bench truncates the account table it measures on: a refusal must come before that.
        run("account", "open", "--username", "kept", "--balance", "7");
        Result rounds = run("bench", "--rounds", "0", "--no-progress");
        assertThat(rounds.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(rounds.err()).contains("bench rounds must be between 1 and 20, got 0");
        assertThat(run("bench", "--rounds", "21", "--no-progress").code()).isEqualTo(ExitCodes.INVALID);
        Result openLoopRounds = run("bench", "--open-loop-rounds", "0", "--no-progress");
        assertThat(openLoopRounds.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(openLoopRounds.err()).contains("bench open-loop rounds must be between 1 and 20, got 0");
        assertThat(run("bench", "--open-loop-rounds", "21", "--no-progress").code()).isEqualTo(ExitCodes.INVALID);
        Result strategy = run("bench", "--strategies", "optimistic,fastest", "--no-progress");
        assertThat(strategy.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(strategy.err()).contains("unknown bench strategy 'fastest'");
        assertThat(run("bench", "--duration", "0s", "--no-progress").code()).isEqualTo(ExitCodes.INVALID);
        Result rate = run("bench", "--rate", "1000,-5", "--no-progress");
        assertThat(rate.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(rate.err()).contains("bench rates must be between 1 and 10000000 per second");
        assertThat(run("bench", "--p99-bound", "0ms", "--no-progress").code()).isEqualTo(ExitCodes.INVALID);
        Result cooldown = run("bench", "--adaptive-cooldown", "0ms", "--no-progress");
        assertThat(cooldown.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(cooldown.err()).contains("adaptive.cooldown");
        assertThat(DB.queryValue("SELECT count(*) FROM account WHERE username = 'kept' AND balance = 7"))
                .isEqualTo(1L);
    }

    @Test
    void migrateCreatesACustomLeaseTableAndCustomMigrationsModeExplainsAMissingOne() {
        Result migrated = run("migrate", "--lease-schema", "ops", "--lease-table", "cron_leases");
        assertThat(migrated.code()).as(migrated.err()).isZero();
        assertThat(DB.queryValue("SELECT count(*) FROM ops.cron_leases")).isEqualTo(0L);
        assertThat(run("exclusive", "--lease-schema", "ops", "--lease-table", "cron_leases", "--lock", "a",
                "--ttl", "2s", "--", "true").code()).isZero();
        assertThat(DB.queryValue("SELECT count(*) FROM ops.cron_leases")).isEqualTo(1L);

        Result custom = run("verfact", "add", "--migrate", "false", "--lease-table", "absent_leases");
        assertThat(custom.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(custom.err()).contains("does not exist").contains("CREATE TABLE \"public\".\"absent_leases\"");

        Result injection = run("migrate", "--lease-table", "x\"; drop table account; --");
        assertThat(injection.code()).isEqualTo(ExitCodes.INVALID);
        assertThat(DB.queryValue("SELECT count(*) FROM information_schema.tables WHERE table_name = 'account'"))
                .isEqualTo(1L);
    }

    @Test
    void theDemoRunsEveryScenarioAndComparesTheStrategies() {
        Result result = run("demo", "--compare", "--workers", "5", "--deposits", "200", "--accounts", "10",
                "--callers", "16");
        assertThat(result.code()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("== verfacts (optimistic)").contains("== deposits (pessimistic)")
                .contains("== deposits (adaptive)").contains("== exclusive")
                .contains("All checks passed.").doesNotContain("FAILED")
                .contains("lockwise.lease.renewed").contains("lockwise.operations{deposit,optimistic}");
        assertThat(result.err()).contains("demo works in a database of its own, lockwise_demo_");
        assertThat(DB.queryValue("SELECT count(*) FROM account")).as("the configured database untouched").isEqualTo(0L);
        assertThat(DB.queryValue("SELECT count(*) FROM verfact")).isEqualTo(0L);
        String scratch = result.err().replaceFirst("(?s).*database of its own, (lockwise_demo_[a-z0-9]+),.*", "$1");
        assertThat(DB.queryValue("SELECT count(*) FROM pg_database WHERE datname = ?", scratch))
                .as("its own database dropped at the end").isEqualTo(0L);
    }

    @Test
    void theDemoCompletesOnTheEmbeddedDatabase() {
        Map<String, String> noDatabase = Map.of();
        Result result = run(noDatabase, "demo", "--strategy", "pessimistic");
        assertThat(result.code()).as(result.out() + result.err()).isZero();
        assertThat(result.err()).as("the notice is for the user, not for a script reading stdout")
                .contains("Embedded PostgreSQL 17").contains("discarded when the process exits")
                .contains("with durable commits (synchronous_commit=on, fsync=on)").contains("psql -h localhost -p");
        assertThat(result.out()).doesNotContain("Embedded PostgreSQL")
                .contains("check: total balance 1000.00 = sum deposited 1000.00 ... OK")
                .contains("All checks passed.");
    }
}
