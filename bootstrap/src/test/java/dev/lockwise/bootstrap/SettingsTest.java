package dev.lockwise.bootstrap;

import dev.lockwise.application.Strategy;
import dev.lockwise.bootstrap.config.ConfigException;
import dev.lockwise.bootstrap.config.Setting;
import dev.lockwise.bootstrap.config.Settings;
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
        assertThat(settings.leaseTable().qualifiedName()).isEqualTo("\"public\".\"lockwise_lease\"");
        assertThat(settings.migrate()).isTrue();
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
        assertThat(settings.migrate()).isTrue();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "STRATEGY|optimstic|optimistic, pessimistic or adaptive",
            "DB_URL|postgres://localhost/x|jdbc:postgresql://HOST",
            "POOL_SIZE|0|a whole number from 1 to 500",
            "POOL_SIZE|many|a whole number from 1 to 500",
            "RETRY_ATTEMPTS|5000|a whole number from 1 to 1000",
            "RETRY_BACKOFF|fast|a duration such as",
            "RETRY_MAX_BACKOFF|1ms|retry max backoff must be between the initial backoff",
            "LOCK_TIMEOUT|1h|at most 10m",
            "LOCK_TIMEOUT|-5s|a duration such as",
            "LEASE_SCHEMA|x\"; drop table account; --|SQL identifier",
            "LEASE_TABLE|1bad|SQL identifier",
            "MIGRATE|maybe|true or false",
            "DEMO_WORKERS|0|a whole number from 1 to 1000",
            "DEMO_CALLERS|100000|a whole number from 1 to 1000"})
    void anInvalidValueNamesTheSettingItsSourceTheValueAndWhatIsValid(Setting setting, String value, String valid) {
        assertThatThrownBy(() -> Settings.load(Map.of(), Map.of(setting.environmentVariable(), value), Optional.empty()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(setting == Setting.LEASE_SCHEMA ? "lease" : setting.key())
                .hasMessageContaining(setting == Setting.LEASE_SCHEMA ? "environment LOCKWISE_LEASE" :
                        "environment " + setting.environmentVariable())
                .hasMessageContaining(setting == Setting.DB_URL ? "jdbc" : value)
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
    void thePasswordNeverAppearsInMessagesOrToString() {
        Settings settings = Settings.load(Map.of(), Map.of("LOCKWISE_DB_PASSWORD", "s3cret-pw"), Optional.empty());
        assertThat(settings.dbPassword()).isEqualTo("s3cret-pw");
        assertThat(settings.toString()).doesNotContain("s3cret-pw").contains("db.password=****");
    }
}
