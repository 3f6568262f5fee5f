package dev.lockwise.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line as a user meets it: the real jar in a JVM of its own, stdin, stdout and stderr kept apart,
 * against a real PostgreSQL that holds the user's data. Nothing destructive by surprise, every wait bounded, output
 * a script can read, the conventions of a Unix command line.
 */
class CommandLineSafetyIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(6);

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        List<String> errLines() {
            return err.strip().lines().toList();
        }

        JsonNode json() throws IOException {
            return JSON.readTree(out.strip());
        }
    }

    @BeforeAll
    static void findTheJar() {
        LockwiseProcess.jar();
    }

    @BeforeEach
    void clean() {
        DB.truncateAll();
    }

    private static Map<String, String> database() {
        Map<String, String> env = new HashMap<>();
        env.put("LOCKWISE_DB_URL", DB.jdbcUrl());
        env.put("LOCKWISE_DB_USER", DB.user());
        env.put("LOCKWISE_DB_PASSWORD", DB.password());
        env.put("LOCKWISE_DB_POOL_SIZE", "4");
        return env;
    }

    /** Runs the jar with exactly {@code environment} (plus PATH), {@code stdin} as its input. */
    private Run run(Map<String, String> environment, String stdin, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx192m", "-XX:TieredStopAtLevel=1", "-jar",
                LockwiseProcess.jar().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv("PATH"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("lockwise " + String.join(" ", args) + " did not finish");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Run run(String... args) throws Exception {
        return run(database(), "", args);
    }

    private static void userData() {
        DB.execute("INSERT INTO account (username, balance) VALUES ('customer-1', 10.00), ('customer-2', 20.00)");
        DB.execute("INSERT INTO verfact DEFAULT VALUES");
    }

    private static void assertUserDataIntact() {
        assertThat(DB.queryValue("SELECT count(*) FROM account")).isEqualTo(2L);
        assertThat((BigDecimal) DB.queryValue("SELECT sum(balance) FROM account")).isEqualByComparingTo("30.00");
        assertThat(DB.queryValue("SELECT count(*) FROM verfact")).isEqualTo(1L);
    }

    private static void assertOneUsageLine(Run run, String command) {
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.errLines()).as(run.err()).hasSize(1);
        assertThat(run.err()).startsWith("lockwise: ").contains("(see `" + command + " --help`)");
    }

    // ---- nothing destructive by surprise ----------------------------------------------------------------------

    @Test
    void theBenchWorksInADatabaseOfItsOwnAndLeavesTheUsersTablesAlone() throws Exception {
        userData();
        Run bench = run("bench", "--strategies", "baseline,optimistic", "--accounts", "1", "--callers", "2",
                "--duration", "200ms", "--warmup", "0ms", "--rounds", "1", "--no-seed", "--verfact-rows", "0",
                "--no-lease", "--no-pgbench", "--rate", "0", "--out", dir.resolve("bench").toString());
        assertThat(bench.code()).as(bench.out() + bench.err()).isZero();
        assertThat(bench.err()).contains("bench works in a database of its own, lockwise_bench_")
                .doesNotContain("\r");
        assertThat(bench.out()).contains("All invariants held.");
        assertUserDataIntact();
        String scratch = bench.err().replaceFirst("(?s).*database of its own, (lockwise_bench_[a-z0-9]+),.*", "$1");
        assertThat(DB.queryValue("SELECT count(*) FROM pg_database WHERE datname = ?", scratch))
                .as("dropped at exit").isEqualTo(0L);
    }

    @Test
    void withoutTheRightToCreateADatabaseTheBenchRefusesInOneLineAndTouchesNothing() throws Exception {
        userData();
        DB.execute("DROP ROLE IF EXISTS no_createdb");
        DB.execute("CREATE ROLE no_createdb LOGIN PASSWORD 'pw-not-shown' NOCREATEDB");
        DB.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO no_createdb");
        Map<String, String> env = database();
        env.put("LOCKWISE_DB_USER", "no_createdb");
        env.put("LOCKWISE_DB_PASSWORD", "pw-not-shown");
        Run bench = run(env, "", "bench", "--strategies", "baseline", "--accounts", "1", "--callers", "1",
                "--rounds", "1", "--no-pgbench");
        assertThat(bench.code()).isEqualTo(2);
        assertThat(bench.errLines()).hasSize(1);
        assertThat(bench.err()).contains("bench works in a database of its own").contains("CREATEDB")
                .doesNotContain("pw-not-shown");
        assertUserDataIntact();
    }

    @Test
    void aPoolSmallerThanTheBenchsCallersIsRefusedInOneLineBeforeAnythingRuns() throws Exception {
        // This run's pool is capped at 4 (LOCKWISE_DB_POOL_SIZE); 16 callers would queue in it, and the bench would
        // time the queue rather than the strategy.
        userData();
        Object databases = DB.queryValue("SELECT count(*) FROM pg_database");
        Run bench = run("bench", "--strategies", "optimistic", "--accounts", "10", "--callers", "2,16", "--rounds", "1",
                "--no-pgbench", "--out", dir.resolve("bench").toString());
        assertThat(bench.code()).isEqualTo(2);
        assertThat(bench.errLines()).hasSize(1);
        assertThat(bench.err()).contains("needs a connection for each").contains("db.pool-size is 4")
                .contains("LOCKWISE_DB_POOL_SIZE");
        assertThat(dir.resolve("bench")).doesNotExist();
        assertThat(DB.queryValue("SELECT count(*) FROM pg_database")).as("no scratch database").isEqualTo(databases);
        assertUserDataIntact();
    }

    @Test
    void aBareLockwisePrintsUsageAndTouchesNothing() throws Exception {
        userData();
        Run bare = run();
        assertThat(bare.code()).isEqualTo(2);
        assertThat(bare.out()).isEmpty();
        assertThat(bare.err()).contains("a command is required").contains("Usage: lockwise");
        assertUserDataIntact();
    }

    @Test
    void anEmptyDatabaseUrlIsAnErrorNotAThrowawayServer() throws Exception {
        Map<String, String> env = database();
        env.put("LOCKWISE_DB_URL", "");
        Run empty = run(env, "", "account", "open", "--username", "ghost");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.errLines()).hasSize(1);
        assertThat(empty.err()).contains("db.url is empty (from environment LOCKWISE_DB_URL)");
        assertThat(run("--db-url", "", "account", "open", "--username", "ghost").err()).contains("(from flag --db-url)");
    }

    @Test
    void onlyMigrateChangesTheSchemaOfADatabaseTheUserNamed() throws Exception {
        String fresh = "lw_fresh_" + ProcessHandle.current().pid();
        DB.execute("CREATE DATABASE " + fresh + " TEMPLATE template0");
        try {
            Map<String, String> env = database();
            env.put("LOCKWISE_DB_URL", DB.server().jdbcUrl(fresh));
            Run list = run(env, "", "verfact", "list");
            assertThat(list.code()).isEqualTo(2);
            assertThat(list.errLines()).hasSize(1);
            assertThat(list.err()).contains("lacks Lockwise's schema").contains("run `lockwise migrate`");
            assertThat(tablesIn(fresh)).as("nothing created").isZero();

            Run migrate = run(env, "", "migrate");
            assertThat(migrate.code()).as(migrate.err()).isZero();
            assertThat(tablesIn(fresh)).isPositive();
            assertThat(run(env, "", "verfact", "list").code()).isZero();
        } finally {
            DB.server().dropDatabase(fresh);
        }
    }

    private static long tablesIn(String database) throws Exception {
        try (Connection connection = DB.server().dataSourceFor(database).getConnection();
             var rows = connection.createStatement().executeQuery(
                     "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN"
                             + " ('pg_catalog', 'information_schema')")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void theEmbeddedServersNoticeGoesToStderrAndSaysTheDataIsDiscarded() throws Exception {
        Run embedded = run(Map.of(), "", "account", "open", "--username", "alice", "--output", "json");
        assertThat(embedded.code()).as(embedded.err()).isZero();
        assertThat(embedded.err()).contains("Embedded PostgreSQL").contains("discarded when the process exits");
        assertThat(embedded.json().get("username").asText()).isEqualTo("alice");
    }

    // ---- every wait bounded ------------------------------------------------------------------------------------

    @Test
    void aLockTimeoutOfZeroIsRefusedAndAnOptimisticUpdateWaitsNoLongerThanTheLockTimeout() throws Exception {
        userData();
        Run zero = run("deposit", "--username", "customer-1", "--amount", "1", "--strategy", "pessimistic",
                "--lock-timeout", "0");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err()).contains("lock-timeout").contains("1ms to 10m");

        long unblockedStarted = System.nanoTime();
        assertThat(run("account", "show", "--username", "customer-1").code()).isZero();
        Duration unblocked = Duration.ofNanos(System.nanoTime() - unblockedStarted);
        for (String strategy : List.of("optimistic", "adaptive", "pessimistic")) {
            try (Connection outside = DB.dataSource().getConnection()) {
                outside.setAutoCommit(false);
                outside.createStatement().execute("SELECT * FROM account WHERE username = 'customer-1' FOR UPDATE");
                outside.createStatement().execute("INSERT INTO account (username) VALUES ('racing-" + strategy + "')");
                long started = System.nanoTime();
                Run blocked = run("deposit", "--username", "customer-1", "--amount", "1", "--strategy", strategy,
                        "--lock-timeout", "1s");
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertThat(blocked.code()).as(strategy + ": " + blocked.err()).isEqualTo(1);
                assertThat(blocked.err()).contains("lock");
                assertThat(took).as(strategy + ": what an unblocked command takes, and one bounded wait (a few, with"
                        + " retries)").isLessThan(unblocked.plusSeconds(10));
                // Opening an account whose name another transaction is inserting waits for that transaction.
                Run opening = run("account", "open", "--username", "racing-" + strategy, "--strategy", strategy,
                        "--lock-timeout", "1s");
                assertThat(opening.code()).as(strategy + ": " + opening.err()).isEqualTo(1);
                assertThat(opening.err()).contains("lock");
                outside.rollback();
            }
            Thread.sleep(200);
            assertThat((BigDecimal) DB.queryValue("SELECT balance FROM account WHERE username = 'customer-1'"))
                    .as(strategy + ": the refused deposit was not applied later").isEqualByComparingTo("10.00");
        }
    }

    @Test
    void credentialsInAUrlNeverShowAndAPasswordOnTheCommandLineIsRefused() throws Exception {
        Map<String, String> env = database();
        env.put("LOCKWISE_DB_URL", "jdbc:postgresql://bob:s3cret-in-url@db.example/app");
        Run jdbcWithUser = run(env, "", "verfact", "list");
        assertThat(jdbcWithUser.code()).isEqualTo(2);
        assertThat(jdbcWithUser.errLines()).hasSize(1);
        assertThat(jdbcWithUser.err()).contains("cannot carry USER:PASSWORD@").doesNotContain("s3cret-in-url");

        env.put("LOCKWISE_DB_URL", "postgres://bob:s3cret-in-url@db.example:abc/app");
        Run badPort = run(env, "", "verfact", "list");
        assertThat(badPort.code()).isEqualTo(2);
        assertThat(badPort.errLines()).hasSize(1);
        assertThat(badPort.err()).contains("the port must be a number").contains("environment LOCKWISE_DB_URL")
                .doesNotContain("s3cret-in-url");

        Run onTheLine = run("verfact", "list", "--db-url", "postgres://bob:s3cret-in-url@db.example/app");
        assertThat(onTheLine.code()).isEqualTo(2);
        assertThat(onTheLine.err()).contains("--db-url carries a password").doesNotContain("s3cret-in-url");

        env.put("LOCKWISE_DB_URL", "postgres://bob:s3cret-in-url@no.such.host.invalid/app");
        Run unreachable = run(env, "", "verfact", "list", "--output", "json");
        assertThat(unreachable.code()).isEqualTo(3);
        assertThat(unreachable.err()).contains("unknown host").doesNotContain("s3cret-in-url");
    }

    // ---- scripts -----------------------------------------------------------------------------------------------

    @Test
    void jsonOutputIsOneObjectPerResultAndErrorsAreJsonOnStderr() throws Exception {
        JsonNode opened = run("account", "open", "--username", "json-user", "--balance", "5", "--output", "json")
                .json();
        assertThat(opened.get("username").asText()).isEqualTo("json-user");
        assertThat(opened.get("balance").asText()).isEqualTo("5.00");
        long id = opened.get("account_id").asLong();

        JsonNode first = run("deposit", "--account-id", Long.toString(id), "--amount", "2.50", "--request-id", "r-1",
                "--output", "json").json();
        assertThat(first.get("replayed").asBoolean()).isFalse();
        assertThat(first.get("balance_after").asText()).isEqualTo("7.50");
        run("deposit", "--account-id", Long.toString(id), "--amount", "1");
        Run again = run("deposit", "--account-id", Long.toString(id), "--amount", "2.50", "--request-id", "r-1",
                "--output", "json");
        assertThat(again.code()).isZero();
        JsonNode replay = again.json();
        assertThat(replay.get("replayed").asBoolean()).isTrue();
        assertThat(replay.get("balance_after").asText()).as("as the first call left it").isEqualTo("7.50");
        assertThat(replay.get("balance_now").asText()).as("and as it is now").isEqualTo("8.50");

        JsonNode shown = run("account", "show", "--username", "json-user", "--output", "json").json();
        assertThat(shown.get("balance").asText()).isEqualTo("8.50");
        assertThat(shown.get("version").asLong()).isEqualTo(2);

        long fact = run("verfact", "add", "--output", "json").json().get("verfact_id").asLong();
        JsonNode processed = run("verfact", "process", "--id", Long.toString(fact), "--output", "json").json();
        assertThat(processed.get("processed_by_this_call").asBoolean()).isTrue();
        Run already = run("verfact", "process", "--id", Long.toString(fact), "--output", "json");
        assertThat(already.code()).isZero();
        assertThat(already.json().get("outcome").asText()).isEqualTo("already_processed");
        Run list = run("verfact", "list", "--output", "json");
        assertThat(list.out().strip().lines()).hasSize(1).allSatisfy(line -> assertThat(line).startsWith("{"));

        Map<String, String> jsonEnvironment = database();
        jsonEnvironment.put("LOCKWISE_OUTPUT", "json");
        Run missing = run(jsonEnvironment, "", "account", "show", "--username", "nobody");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.out()).isEmpty();
        JsonNode error = JSON.readTree(missing.err().strip());
        assertThat(error.get("error").asText()).contains("no account with username 'nobody'");
        assertThat(error.get("exit_code").asInt()).isEqualTo(1);
        Run usage = run("deposit", "--username", "x", "--output", "json");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(JSON.readTree(usage.err().strip()).get("exit_code").asInt()).isEqualTo(2);
    }

    @Test
    void thePasswordIsPromptedOnStderrAndRefusedOnTheCommandLine() throws Exception {
        DB.execute("DROP ROLE IF EXISTS prompted");
        DB.execute("CREATE ROLE prompted LOGIN PASSWORD 'typed-secret'");
        DB.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO prompted");
        DB.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO prompted");
        Map<String, String> env = database();
        env.put("LOCKWISE_DB_USER", "prompted");
        env.remove("LOCKWISE_DB_PASSWORD");
        Run prompted = run(env, "typed-secret\n", "account", "open", "--username", "p", "--db-password",
                "--output", "json");
        assertThat(prompted.code()).as(prompted.err()).isZero();
        assertThat(prompted.err()).contains("Database password:").doesNotContain("typed-secret");
        assertThat(prompted.json().get("username").asText()).as("stdout holds the result only").isEqualTo("p");

        Run onTheLine = run(env, "", "account", "open", "--username", "q", "--db-password=typed-secret");
        assertThat(onTheLine.code()).isEqualTo(2);
        assertThat(onTheLine.errLines()).hasSize(1);
        assertThat(onTheLine.err()).contains("visible to every user through ps").doesNotContain("typed-secret");
        assertThat(DB.queryValue("SELECT count(*) FROM account WHERE username = 'q'")).isEqualTo(0L);
    }

    // ---- conventions --------------------------------------------------------------------------------------------

    @Test
    void usageErrorsAreOneLineWithAPointerToHelp() throws Exception {
        assertOneUsageLine(run("deposit", "--username", "x"), "lockwise deposit");
        Run typo = run("depsit");
        assertOneUsageLine(typo, "lockwise");
        assertThat(typo.err()).contains("did you mean deposit");
        assertOneUsageLine(run("account", "open", "--usrname", "x"), "lockwise account open");
    }

    @Test
    void helpShowsTheCommandsOwnOptionsFirstAndTheGlobalOnesApart() throws Exception {
        Run help = run("deposit", "--help");
        assertThat(help.code()).isZero();
        int own = help.out().indexOf("\n      --amount");
        int section = help.out().indexOf("\nGlobal options");
        int global = help.out().indexOf("\n      --db-url");
        assertThat(help.out()).startsWith("Usage: lockwise deposit [OPTIONS]");
        assertThat(own).isPositive().isLessThan(section);
        assertThat(section).isLessThan(global);
    }

    @Test
    void versionIsTheBuildsVersion() throws Exception {
        Run version = run("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out().strip()).matches("lockwise \\d+\\.\\d+\\.\\d+( \\(commit [0-9a-f]{7,}(\\+dirty)?\\))?");
        boolean fromACheckout = Files.exists(Path.of(System.getProperty("user.dir")).resolveSibling(".git"));
        if (fromACheckout) {
            assertThat(version.out()).as("built from a git checkout: the commit is named").contains("(commit ");
        }
    }

    @Test
    void libpqUrlsAndVariablesAreHonoured() throws Exception {
        String hostPort = DB.jdbcUrl().replaceFirst("^jdbc:postgresql://([^/]+)/.*$", "$1");
        Map<String, String> url = new HashMap<>();
        url.put("LOCKWISE_DB_URL", "postgres://" + DB.user() + ":" + DB.password() + "@" + hostPort + "/"
                + DB.databaseName());
        Run byUrl = run(url, "", "account", "open", "--username", "via-url");
        assertThat(byUrl.code()).as(byUrl.err()).isZero();

        Map<String, String> libpq = new HashMap<>();
        libpq.put("PGHOST", hostPort.substring(0, hostPort.lastIndexOf(':')));
        libpq.put("PGPORT", hostPort.substring(hostPort.lastIndexOf(':') + 1));
        libpq.put("PGDATABASE", DB.databaseName());
        libpq.put("PGUSER", DB.user());
        libpq.put("PGPASSWORD", DB.password());
        Run byVariables = run(libpq, "", "account", "open", "--username", "via-libpq");
        assertThat(byVariables.code()).as(byVariables.err()).isZero();
        assertThat(DB.queryValue("SELECT count(*) FROM account WHERE username LIKE 'via-%'")).isEqualTo(2L);
    }

    // ---- messages that tell the truth ---------------------------------------------------------------------------

    @Test
    void messagesNameRealFlagsDurationsAndNetworkProblemsInPlainWords() throws Exception {
        assertThat(run("verfact", "list", "--pool-size", "0").err()).contains("(from flag --pool-size)");
        assertThat(run("exclusive", "--lock", "j", "--ttl", "9999d", "--", "true").err())
                .contains("lease ttl must be at most 1d, got 9999d");

        Map<String, String> unknownHost = database();
        unknownHost.put("LOCKWISE_DB_URL", "jdbc:postgresql://no.such.host.invalid/db");
        Run unknown = run(unknownHost, "", "verfact", "list");
        assertThat(unknown.code()).isEqualTo(3);
        assertThat(unknown.err()).contains("unknown host 'no.such.host.invalid'");

        Map<String, String> refused = database();
        refused.put("LOCKWISE_DB_URL", "jdbc:postgresql://127.0.0.1:1/db");
        Run noServer = run(refused, "", "verfact", "list");
        assertThat(noServer.code()).isEqualTo(3);
        assertThat(noServer.err()).contains("connection refused by 127.0.0.1:1");

        try (ServerSocket busy = new ServerSocket(0)) {
            Run serve = run("serve", "--port", Integer.toString(busy.getLocalPort()));
            assertThat(serve.code()).isEqualTo(2);
            assertThat(serve.errLines()).hasSize(1);
            assertThat(serve.err()).contains("port " + busy.getLocalPort() + " on 127.0.0.1 is already in use")
                    .doesNotContain("BindException");
        }
    }
}
