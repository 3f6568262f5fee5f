package dev.lockwise.reliability;

import dev.lockwise.cli.ExitCodes;
import dev.lockwise.cli.LockwiseCommand;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A server that checks passwords (the shared test server trusts everyone): a wrong one is exit 3, one line, never echoed. */
class BadCredentialsIT {
    @TempDir
    Path temp;

    @Test
    void aWrongPasswordIsOneLineAndExit3() throws Exception {
        Path data = temp.resolve("pgdata");
        try (EmbeddedPostgres server = EmbeddedPostgres.builder().setDataDirectory(data).start()) {
            try (Connection admin = server.getPostgresDatabase().getConnection();
                 Statement statement = admin.createStatement()) {
                statement.execute("ALTER USER postgres PASSWORD 'the-right-one'");
                Files.writeString(data.resolve("pg_hba.conf"), """
                        local all all trust
                        host all all 127.0.0.1/32 scram-sha-256
                        host all all ::1/128 scram-sha-256
                        """);
                statement.execute("SELECT pg_reload_conf()");
            }
            String url = "jdbc:postgresql://localhost:" + server.getPort() + "/postgres";
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var commandLine = LockwiseCommand.commandLine(Map.of("LOCKWISE_DB_URL", url,
                    "LOCKWISE_DB_PASSWORD", "wrong-secret-42"));
            commandLine.setOut(new PrintWriter(out, true));
            commandLine.setErr(new PrintWriter(err, true));

            int code = commandLine.execute("verfact", "add");

            assertThat(code).isEqualTo(ExitCodes.DATABASE_UNAVAILABLE);
            assertThat(err.toString()).contains("password authentication failed");
            assertThat(err.toString().strip().lines()).hasSize(1);
            assertThat(out.toString() + err).doesNotContain("wrong-secret-42");

            var right = LockwiseCommand.commandLine(Map.of("LOCKWISE_DB_URL", url,
                    "LOCKWISE_DB_PASSWORD", "the-right-one"));
            right.setOut(new PrintWriter(new StringWriter(), true));
            assertThat(right.execute("verfact", "add", "--migrate", "true")).isZero();

            // The real command line in a JVM of its own, everything it writes captured (Logback's stderr, --verbose
            // stack traces included): a wrong password, and a right one carried in a libpq URL, never show.
            LockwiseProcess wrong = LockwiseProcess.startAgainst(url, "postgres", "wrong-secret-42", "--verbose",
                    "verfact", "add");
            assertThat(wrong.await(Duration.ofMinutes(1))).as(wrong.output()).isEqualTo(3);
            assertThat(wrong.output()).contains("password authentication failed").doesNotContain("wrong-secret-42");
            LockwiseProcess inUrl = LockwiseProcess.startAgainst("postgres://postgres:the-right-one@localhost:"
                    + server.getPort() + "/postgres", "postgres", null, "--verbose", "verfact", "add");
            assertThat(inUrl.await(Duration.ofMinutes(1))).as(inUrl.output()).isZero();
            assertThat(inUrl.output()).doesNotContain("the-right-one");
        }
    }
}
