package dev.lockwise.cli;

import dev.lockwise.cli.config.ConfigException;
import dev.lockwise.cli.config.Setting;
import dev.lockwise.cli.config.Settings;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.lease.LeaseTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {
    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        Path path = dir.resolve("lockwise.properties");
        Files.writeString(path, content);
        return path;
    }

    @Test
    void defaultsApplyWhenNothingIsGiven() {
        Settings settings = Settings.load(Map.of(), Map.of(), Optional.empty());
        assertThat(settings.strategy()).isEqualTo(Strategy.OPTIMISTIC);
        assertThat(settings.dbUrl()).isEmpty();
        assertThat(settings.poolSize()).isEqualTo(20);
        assertThat(settings.lockTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.retryPolicy().maxAttempts()).isEqualTo(60);
        assertThat(settings.leaseTable()).isEqualTo(LeaseTable.DEFAULT);
        assertThat(settings.migrations()).isEqualTo(Settings.Migrations.CHECK);
        assertThat(settings.output()).isEqualTo(Settings.Output.TEXT);
        assertThat(settings.sourceOf(Setting.STRATEGY)).isEqualTo("default");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws IOException {
        Path config = file("strategy=adaptive\ndb.pool-size=7\nlock-timeout=9s\nretry.attempts=11\n");
        Map<String, String> env = Map.of("LOCKWISE_STRATEGY", "pessimistic", "LOCKWISE_DB_POOL_SIZE", "8",
                "LOCKWISE_LOCK_TIMEOUT", "3s");
        Settings settings = Settings.load(Map.of(Setting.STRATEGY, "optimistic"), env, Optional.of(config));

        assertThat(settings.strategy()).isEqualTo(Strategy.OPTIMISTIC);
        assertThat(settings.sourceOf(Setting.STRATEGY)).isEqualTo("flag --strategy");
        assertThat(settings.poolSize()).isEqualTo(8);
        assertThat(settings.sourceOf(Setting.POOL_SIZE)).isEqualTo("environment LOCKWISE_DB_POOL_SIZE");
        assertThat(settings.lockTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.retryPolicy().maxAttempts()).isEqualTo(11);
        assertThat(settings.sourceOf(Setting.RETRY_ATTEMPTS)).startsWith("config file");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "STRATEGY|optimstic|optimistic, pessimistic, adaptive or batched",
            "DB_URL|mysql://localhost/x|jdbc:postgresql://HOST",
            "POOL_SIZE|0|a whole number from 1 to 500",
            "POOL_SIZE|many|a whole number from 1 to 500",
            "RETRY_ATTEMPTS|5000|a whole number from 1 to 1000",
            "RETRY_BACKOFF|fast|a duration such as",
            "RETRY_MAX_BACKOFF|1ms|retry max backoff must be between the initial backoff",
            "LOCK_TIMEOUT|1h|1ms to 10m",
            "LOCK_TIMEOUT|0|1ms to 10m (every wait is bounded; there is no 'forever')",
            "LOCK_TIMEOUT|-5s|a duration such as",
            "LEASE_SCHEMA|x\"; drop table account; --|SQL identifier",
            "LEASE_TABLE|1bad|SQL identifier",
            "MIGRATE|maybe|check, true or false",
            "OUTPUT|yaml|text or json",
            "DEMO_WORKERS|0|a whole number from 1 to 1000",
            "DEMO_CALLERS|100000|a whole number from 1 to 1000"})
    void anInvalidValueNamesTheSettingItsSourceTheValueAndWhatIsValid(Setting setting, String value, String valid) {
        assertThatThrownBy(() -> Settings.load(Map.of(), Map.of(setting.environmentVariable(), value), Optional.empty()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(setting == Setting.LEASE_SCHEMA ? "lease" : setting.key())
                .hasMessageContaining(setting == Setting.LEASE_SCHEMA ? "environment LOCKWISE_LEASE" :
                        "environment " + setting.environmentVariable())
                .hasMessageContaining(setting == Setting.DB_URL ? "jdbc" : value)
                .satisfies(e -> {
                    if (setting == Setting.DB_URL) {
                        assertThat(e.getMessage()).as("a URL is never echoed").doesNotContain(value);
                    }
                })
                .hasMessageContaining(valid);
    }

    @Test
    void aConfigFileWithAnUnknownKeyOrThatIsMissingIsRefused() throws IOException {
        Path config = file("stratgy=optimistic\n");
        assertThatThrownBy(() -> Settings.load(Map.of(), Map.of(), Optional.of(config)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown setting 'stratgy'");
        assertThatThrownBy(() -> Settings.load(Map.of(), Map.of(), Optional.of(dir.resolve("missing.properties"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
    }

    @Test
    void anEmptyDatabaseUrlIsAnErrorNotAnEmbeddedServer() {
        assertThatThrownBy(() -> Settings.load(Map.of(), Map.of("LOCKWISE_DB_URL", ""), Optional.empty()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("setting db.url is empty (from environment LOCKWISE_DB_URL)");
        assertThatThrownBy(() -> Settings.load(Map.of(Setting.DB_URL, "  "), Map.of(), Optional.empty()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("(from flag --db-url)");
    }

    @Test
    void messagesNameTheFlagsUsersType() {
        assertThatThrownBy(() -> Settings.load(Map.of(Setting.POOL_SIZE, "0"), Map.of(), Optional.empty()))
                .hasMessageContaining("(from flag --pool-size)");
        assertThatThrownBy(() -> Settings.load(Map.of(Setting.DEMO_WORKERS, "0"), Map.of(), Optional.empty()))
                .hasMessageContaining("(from flag demo --workers)");
    }

    @Test
    void libpqUrlsAreTakenAsPsqlTakesThemWithTheirCredentials() {
        Settings settings = Settings.load(Map.of(), Map.of("LOCKWISE_DB_URL",
                "postgres://app%40corp:p%3Ass@db.example:6432/orders?sslmode=require&application_name=jobs"),
                Optional.empty());
        assertThat(settings.dbUrl()).contains(
                "jdbc:postgresql://db.example:6432/orders?sslmode=require&ApplicationName=jobs");
        assertThat(settings.dbUser()).isEqualTo("app@corp");
        assertThat(settings.dbPassword()).isEqualTo("p:ss");
        assertThat(settings.toString()).doesNotContain("p:ss").doesNotContain("p%3Ass");

        Settings explicitUser = Settings.load(Map.of(Setting.DB_USER, "other"),
                Map.of("LOCKWISE_DB_URL", "postgresql://app@db.example/orders"), Optional.empty());
        assertThat(explicitUser.dbUser()).as("a user given explicitly wins over the URL's").isEqualTo("other");
        assertThat(Settings.load(Map.of(), Map.of("LOCKWISE_DB_URL", "postgres://db.example,db2.example:5433/o"
                        + "?target_session_attrs=read-write"), Optional.empty()).dbUrl())
                .contains("jdbc:postgresql://db.example,db2.example:5433/o?targetServerType=primary");
    }

    @Test
    void libpqVariablesComeLastButBeforeTheDefaults() {
        Map<String, String> env = Map.of("PGHOST", "db.example", "PGPORT", "6543", "PGDATABASE", "shop",
                "PGUSER", "clerk", "PGPASSWORD", "from-pg");
        Settings settings = Settings.load(Map.of(), env, Optional.empty());
        assertThat(settings.dbUrl()).contains("jdbc:postgresql://db.example:6543/shop");
        assertThat(settings.dbUser()).isEqualTo("clerk");
        assertThat(settings.dbPassword()).isEqualTo("from-pg");
        assertThat(settings.sourceOf(Setting.DB_URL)).isEqualTo("environment PGHOST, PGPORT, PGDATABASE");

        Map<String, String> both = new java.util.HashMap<>(env);
        both.put("LOCKWISE_DB_USER", "lockwise-user");
        assertThat(Settings.load(Map.of(), both, Optional.empty()).dbUser()).isEqualTo("lockwise-user");
        assertThat(Settings.load(Map.of(), Map.of("PGUSER", "only-user"), Optional.empty()).dbUrl())
                .as("PGUSER alone names no server").isEmpty();
        assertThatThrownBy(() -> Settings.load(Map.of(), Map.of("PGHOST", "/var/run/postgresql"), Optional.empty()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("Unix-domain socket");
    }

    @Test
    void migrationsAreCheckedUnlessAskedFor() {
        assertThat(Settings.load(Map.of(Setting.MIGRATE, "true"), Map.of(), Optional.empty()).migrations())
                .isEqualTo(Settings.Migrations.APPLY);
        assertThat(Settings.load(Map.of(Setting.MIGRATE, "false"), Map.of(), Optional.empty()).migrations())
                .isEqualTo(Settings.Migrations.CUSTOM);
    }

    @Test
    void thePasswordNeverAppearsInMessagesOrToString() {
        Settings settings = Settings.load(Map.of(), Map.of("LOCKWISE_DB_PASSWORD", "s3cret-pw"), Optional.empty());
        assertThat(settings.dbPassword()).isEqualTo("s3cret-pw");
        assertThat(settings.toString()).doesNotContain("s3cret-pw").contains("db.password=****");
    }
}
