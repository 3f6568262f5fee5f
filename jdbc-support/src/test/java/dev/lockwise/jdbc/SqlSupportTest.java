package dev.lockwise.jdbc;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.DatabaseUnavailableException;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.LockWaitTimeoutException;
import dev.lockwise.domain.PersistenceException;
import dev.lockwise.domain.lease.LeaseTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.SQLException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqlSupportTest {

    @ParameterizedTest
    @CsvSource({
            "40001, ConcurrentUpdateException",
            "40P01, ConcurrentUpdateException",
            "55P03, LockWaitTimeoutException",
            "57014, LockWaitTimeoutException",
            "08006, DatabaseUnavailableException",
            "57P01, DatabaseUnavailableException",
            "25006, DatabaseUnavailableException",
            "23505, PersistenceException"})
    void sqlStatesMapToWhatTheCallerCanDo(String sqlState, String expected) {
        Class<?> type = switch (expected) {
            case "ConcurrentUpdateException" -> ConcurrentUpdateException.class;
            case "LockWaitTimeoutException" -> LockWaitTimeoutException.class;
            case "DatabaseUnavailableException" -> DatabaseUnavailableException.class;
            default -> PersistenceException.class;
        };
        SQLException failure = new SQLException("boom\n  Detail: the second line", sqlState);
        assertThat(SqlFailures.translate("deposit to account 7", failure))
                .isExactlyInstanceOf(type)
                .hasMessageStartingWith("deposit to account 7")
                .hasMessageNotContaining("second line")
                .hasCause(failure);
    }

    @Test
    void aFailureWithoutSqlStateIsALostConnection() {
        assertThat(SqlFailures.translate("read", new SQLException("connection reset")))
                .isInstanceOf(DatabaseUnavailableException.class).hasMessageContaining("connection reset");
    }

    @Test
    void identifiersAreQuotedSoThatNoNameCanEndThem() {
        assertThat(SqlIdentifiers.qualified(new LeaseTable("Ops", "job_leases"))).isEqualTo("\"Ops\".\"job_leases\"");
        assertThat(SqlIdentifiers.quote("a\"; DROP TABLE account; --")).isEqualTo("\"a\"\"; DROP TABLE account; --\"");
    }

    @Test
    void everyLockWaitIsBounded() {
        assertThat(Transactions.requireLockTimeout(Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
        assertThat(Transactions.requireLockTimeout(Transactions.MAX_LOCK_TIMEOUT))
                .isEqualTo(Transactions.MAX_LOCK_TIMEOUT);
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofNanos(999_999), Duration.ofMillis(-1),
                Transactions.MAX_LOCK_TIMEOUT.plusMillis(1)}) {
            assertThatThrownBy(() -> Transactions.requireLockTimeout(bad)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("every wait is bounded");
        }
    }

    @Test
    void aDataSourceIsRequired() {
        assertThatThrownBy(() -> new Transactions(null, Duration.ofSeconds(1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("data source");
    }
}
