package dev.lockwise.reliability;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.lockwise.adapter.lock.ExclusiveRunLog;
import dev.lockwise.adapter.lock.FencedJdbcVerFactProcessor;
import dev.lockwise.adapter.lock.LeaseTableCheck;
import dev.lockwise.application.ProcessingOutcome;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.bootstrap.LockwiseAssembly;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.schedule.SlotResult;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Lockwise's main paths run as a role with only the grants the README documents (no superuser, no DDL, no
 * DELETE/TRUNCATE), after the schema was migrated by its owner.
 */
class LeastPrivilegeIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(4);

    static final String ROLE = "lockwise_app_" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);

    /** The run-time grants, exactly as documented in the README. */
    static final String[] GRANTS = {
            "GRANT CONNECT ON DATABASE \"%db%\" TO %role%",
            "GRANT USAGE ON SCHEMA public TO %role%",
            "GRANT SELECT, INSERT, UPDATE ON account, verfact, deposit_request, exclusive_run, scheduled_run,"
                    + " lockwise_lease TO %role%",
            "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %role%",
            "GRANT SELECT ON lockwise_schema_history, lockwise_lease_history TO %role%"};

    private static HikariDataSource app;

    @BeforeAll
    static void createRoleWithTheDocumentedGrants() {
        DB.execute("CREATE ROLE " + ROLE + " LOGIN PASSWORD 'app-password' NOSUPERUSER NOCREATEDB NOCREATEROLE");
        // The default before PostgreSQL 15 (and of some distributions' templates): anyone may create in public.
        DB.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        for (String grant : GRANTS) {
            DB.execute(grant.replace("%db%", DB.databaseName()).replace("%role%", ROLE));
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(DB.jdbcUrl());
        config.setUsername(ROLE);
        config.setPassword("app-password");
        config.setMaximumPoolSize(8);
        app = new HikariDataSource(config);
    }

    @AfterAll
    static void dropRole() {
        if (app != null) {
            app.close();
        }
        DB.execute("DROP OWNED BY " + ROLE);
        DB.execute("DROP ROLE " + ROLE);
    }

    @Test
    void theRoleCannotChangeTheSchemaNorDeleteData() throws SQLException {
        try (Connection connection = app.getConnection(); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("CREATE TABLE sneaky (id int)")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> statement.execute("TRUNCATE account")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> statement.execute("DELETE FROM verfact")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> statement.execute("DROP TABLE lockwise_lease")).hasMessageContaining("must be owner");
        }
    }

    @Test
    void everyMainPathWorksWithOnlyThoseGrants() throws Exception {
        LeaseTableCheck.verify(app, LeaseTable.DEFAULT);
        for (Strategy strategy : Strategy.values()) {
            try (Lockwise lockwise = Lockwise.builder(app).strategy(strategy).build()) {
                Account account = lockwise.openAccount().open(new Username("least-" + strategy.label()), Money.ZERO);
                lockwise.deposit().depositTo(account.id(), Money.of("1.00"));
                lockwise.deposit().depositTo(account.username(), Money.of("1.00"));
                lockwise.deposit().depositOnce(new RequestId("least-" + strategy.label()), account.id(), Money.of("1.00"));
                VerFact fact = lockwise.recordVerFact().record();
                assertThat(lockwise.setAsProcessed().process(fact.id())).isEqualTo(ProcessingOutcome.PROCESSED_BY_THIS_CALL);
                int processed = lockwise.runExclusive().run(new LockId("least-" + strategy.label()),
                        LeaseTerms.tryOnce(Duration.ofSeconds(5)), lease -> {
                            ExclusiveRunLog log = new ExclusiveRunLog(app, LeaseTable.DEFAULT);
                            log.start(lease, "least-privilege");
                            log.beat(lease);
                            log.end(lease);
                            return new FencedJdbcVerFactProcessor(app, LeaseTable.DEFAULT).processPending(lease, 10);
                        });
                assertThat(processed).isZero();
                SlotResult<String> once = lockwise.runOncePerSlot().runOncePer(new LockId("least-slot-"
                        + strategy.label()), Duration.ofHours(1), LeaseTerms.tryOnce(Duration.ofSeconds(5))
                        .holdingAtLeast(Duration.ofMillis(200)), lease -> "ran");
                assertThat(once).isInstanceOf(SlotResult.Ran.class);
                assertThat(lockwise.runOncePerSlot().runs(new LockId("least-slot-" + strategy.label()), 5)).hasSize(1);
                assertThat(LockwiseAssembly.accounts(app, lockwise.options()).find(account.id()).orElseThrow().balance()).isEqualTo(Money.of("3.00"));
            }
        }
        assertThat(DB.queryValue("SELECT count(*) FROM exclusive_run WHERE holder = 'least-privilege'"))
                .isEqualTo((long) Strategy.values().length);
    }

    @Test
    void theCommandLineChecksTheSchemaVersionWithOnlyThoseGrants() {
        var commandLine = dev.lockwise.cli.LockwiseCommand.commandLine(java.util.Map.of(
                "LOCKWISE_DB_URL", DB.jdbcUrl(), "LOCKWISE_DB_USER", ROLE, "LOCKWISE_DB_PASSWORD", "app-password"));
        java.io.StringWriter err = new java.io.StringWriter();
        commandLine.setErr(new java.io.PrintWriter(err, true));
        commandLine.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
        assertThat(commandLine.execute("verfact", "list")).as(err.toString()).isZero();
        assertThat(commandLine.execute("exclusive", "--lock", "least-cli", "--ttl", "3s", "--hold-at-least", "1s",
                "--once-per", "1h", "--", "true")).as(err.toString()).isZero();
        assertThat(commandLine.execute("runs", "--lock", "least-cli")).as(err.toString()).isZero();
        assertThat(commandLine.execute("exclusive", "--lock", "least-plain", "--ttl", "3s", "--", "true"))
                .as(err.toString()).isZero();
        assertThat(commandLine.execute("account", "open", "--username", "least-cli")).as(err.toString()).isZero();
        assertThat(commandLine.execute("account", "show", "--username", "least-cli")).as(err.toString()).isZero();
        assertThat(commandLine.execute("deposit", "--username", "least-cli", "--amount", "1.00")).as(err.toString())
                .isZero();
        assertThat(commandLine.execute("deposit", "--username", "least-cli", "--amount", "1.00", "--request-id",
                "least-once")).as(err.toString()).isZero();
        assertThat(commandLine.execute("verfact", "add")).as(err.toString()).isZero();
        Object fact = DB.queryValue("SELECT max(id) FROM verfact");
        assertThat(commandLine.execute("verfact", "process", "--id", fact.toString())).as(err.toString()).isZero();
        assertThat(commandLine.execute("workload", "deposits", "--usernames", "least-cli", "--count", "20"))
                .as(err.toString()).isZero();
        assertThat(commandLine.execute("workload", "lease", "--lock", "least-workload", "--count", "2", "--hold",
                "50ms", "--holder", "least-cli")).as(err.toString()).isZero();
        assertThat(DB.queryValue("SELECT count(*) FROM exclusive_run WHERE holder = 'least-cli'")).isEqualTo(2L);
    }

    @Test
    void theExampleHostServesEveryEndpointWithOnlyThoseGrants() throws Exception {
        var commandLine = dev.lockwise.cli.LockwiseCommand.commandLine(java.util.Map.of(
                "LOCKWISE_DB_URL", DB.jdbcUrl(), "LOCKWISE_DB_USER", ROLE, "LOCKWISE_DB_PASSWORD", "app-password"));
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        Thread serving = new Thread(() -> commandLine.execute("serve", "--port", "0"), "least-privilege-serve");
        serving.start();
        try {
            java.util.regex.Pattern started = java.util.regex.Pattern.compile("Serving on (http://127\\.0\\.0\\.1:\\d+)");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            java.util.regex.Matcher url = started.matcher("");
            while (!(url = started.matcher(out.toString())).find()) {
                assertThat(System.nanoTime() - deadline).as("serve did not start: " + err).isNegative();
                assertThat(serving.isAlive()).as("serve ended: " + err).isTrue();
                Thread.sleep(50);
            }
            String base = url.group(1);
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5)).build();
            java.util.function.Function<String, java.net.http.HttpResponse<String>> post = path -> {
                try {
                    return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                            .timeout(Duration.ofSeconds(20)).POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            };
            assertThat(post.apply("/accounts?username=least-serve").statusCode()).isEqualTo(201);
            var deposit = post.apply("/deposits?username=least-serve&amount=2.50");
            assertThat(deposit.statusCode()).as(deposit.body()).isEqualTo(200);
            assertThat(deposit.body()).startsWith("2.50 ");
            var fact = post.apply("/verfacts");
            assertThat(fact.statusCode()).isEqualTo(201);
            var processed = post.apply("/verfacts/process?id=" + fact.body().strip());
            assertThat(processed.body().strip()).as(processed.body()).isEqualTo("processed");
            post.apply("/verfacts");
            var job = post.apply("/jobs/process-pending?limit=10");
            assertThat(job.statusCode()).as(job.body()).isEqualTo(200);
            assertThat(Long.parseLong(job.body().strip().split(" ")[0])).isPositive();
        } finally {
            serving.interrupt();
            serving.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(serving.isAlive()).as("serve did not stop on interrupt").isFalse();
        assertThat(err.toString()).doesNotContain("permission denied");
    }
}
