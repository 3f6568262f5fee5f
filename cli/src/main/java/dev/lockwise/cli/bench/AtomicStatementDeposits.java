package dev.lockwise.cli.bench;

import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.jdbc.SqlFailures;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The physical limit of a deposit, for comparison: one atomic statement, no read in Java, no retry. It is only
 * possible because a deposit is a pure increment; a change that needs the old value in Java cannot be written so.
 */
public final class AtomicStatementDeposits implements BenchDeposits {
    public static final String NAME = "baseline";
    private static final String SQL = "UPDATE account SET balance = balance + ?, version = version + 1 WHERE id = ?";
    private final DataSource dataSource;

    public AtomicStatementDeposits(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void deposit(long accountId, long cents) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(SQL)) {
            update.setBigDecimal(1, BigDecimal.valueOf(cents, 2));
            update.setLong(2, accountId);
            if (update.executeUpdate() == 0) {
                throw new AccountNotFoundException(new AccountId(accountId));
            }
        } catch (SQLException e) {
            throw SqlFailures.translate("atomic deposit", e);
        }
    }
}
