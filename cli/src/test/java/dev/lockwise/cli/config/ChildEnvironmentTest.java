package dev.lockwise.cli.config;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The secrets a child of the command line (exclusive's command, pgbench) must not inherit, and what it keeps. */
class ChildEnvironmentTest {
    @Test
    void passwordsAndAUrlWithCredentialsGoEverythingElseStays() {
        Map<String, String> environment = new HashMap<>(Map.of("LOCKWISE_DB_PASSWORD", "s1", "PGPASSWORD", "s2",
                "LOCKWISE_DB_URL", "jdbc:postgresql://db/app?user=u&password=s3", "PGHOST", "db", "PATH", "/bin"));
        ChildEnvironment.removeSecrets(environment);
        assertThat(environment).isEqualTo(Map.of("PGHOST", "db", "PATH", "/bin"));

        Map<String, String> userInfo = new HashMap<>(Map.of("LOCKWISE_DB_URL", "postgres://u:s4@db/app"));
        ChildEnvironment.removeSecrets(userInfo);
        assertThat(userInfo).isEmpty();

        Map<String, String> plain = new HashMap<>(Map.of("LOCKWISE_DB_URL", "jdbc:postgresql://db:5432/app"));
        ChildEnvironment.removeSecrets(plain);
        assertThat(plain).containsEntry("LOCKWISE_DB_URL", "jdbc:postgresql://db:5432/app");
    }
}
