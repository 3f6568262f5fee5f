package dev.lockwise.adapter.pessimistic;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.DuplicateUsernameException;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import dev.lockwise.jdbc.Rows;
import dev.lockwise.jdbc.Transactions;
import dev.lockwise.jdbc.Transactions.Binder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * Pessimistic accounts on plain JDBC. An update is one transaction: {@code SELECT … FOR NO KEY UPDATE} locks the row
 * (a concurrent writer waits, up to the lock timeout), the change is applied in Java, then {@code UPDATE} and commit.
 * {@code NO KEY UPDATE} rather than {@code UPDATE}: the key does not change, so inserts that reference the row by
 * foreign key are not blocked.
 */
public final class PessimisticAccountRepository implements AccountRepository {
    private static final String COLUMNS = "SELECT " + Rows.ACCOUNT_COLUMNS + " FROM account";
    private static final String LOCK_BY_ID = COLUMNS + " WHERE id = ? FOR NO KEY UPDATE";
    private static final String LOCK_BY_USERNAME = COLUMNS + " WHERE username = ? FOR NO KEY UPDATE";
    private static final String WRITE = "UPDATE account SET balance = ?, version = ? WHERE id = ?";
    private static final String WRITE_AND_COMMIT = LockingSql.committing(WRITE);
    private static final String INSERT = "INSERT INTO account (username, balance, version) SELECT ?, ?, 0 FROM %s"
            + " ON CONFLICT (username) DO NOTHING RETURNING " + Rows.ACCOUNT_COLUMNS;

    private static final String SELECT_RECEIPT = "SELECT " + Rows.RECEIPT_COLUMNS
            + " FROM deposit_request WHERE request_id = ?";
    private static final String INSERT_RECEIPT = "INSERT INTO deposit_request"
            + " (request_id, account_id, amount, balance_after, version_after) VALUES (?, ?, ?, ?, ?)";
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String WRITE_RECORD_AND_COMMIT = LockingSql.committing(WRITE + "; " + INSERT_RECEIPT);

    private final Transactions transactions;
    private final String lockById;
    private final String lockByUsername;
    private final String insert;

    /**
     * @param dataSource  the host's pool
     * @param lockTimeout how long a transaction waits for a row lock held elsewhere (1 ms to 10 minutes)
     */
    public PessimisticAccountRepository(DataSource dataSource, Duration lockTimeout) {
        this.transactions = new Transactions(dataSource, lockTimeout);
        LockingSql sql = new LockingSql(transactions.lockTimeoutSetting());
        this.lockById = sql.locking(LOCK_BY_ID);
        this.lockByUsername = sql.locking(LOCK_BY_USERNAME);
        this.insert = String.format(INSERT, sql.lockTimeoutSource());
    }

    @Override
    public Account open(Username username, Money initialBalance) {
        return transactions.query("open account '" + username + "'", insert, statement -> {
            statement.setString(1, username.value());
            statement.setBigDecimal(2, initialBalance.amount());
        }, Rows::nextAccount).orElseThrow(() -> new DuplicateUsernameException(username));
    }

    @Override
    public Optional<Account> find(AccountId id) {
        return transactions.query("read account " + id, COLUMNS + " WHERE id = ?",
                statement -> statement.setLong(1, id.value()), Rows::nextAccount);
    }

    @Override
    public Optional<Account> find(Username username) {
        return transactions.query("read account '" + username + "'", COLUMNS + " WHERE username = ?",
                statement -> statement.setString(1, username.value()), Rows::nextAccount);
    }

    @Override
    public Updated<Account> update(AccountId id, UnaryOperator<Account> change) {
        return lockChangeWrite("account " + id, lockById, statement -> statement.setLong(1, id.value()),
                () -> new AccountNotFoundException(id), change);
    }

    @Override
    public Updated<Account> update(Username username, UnaryOperator<Account> change) {
        return lockChangeWrite("account '" + username + "'", lockByUsername,
                statement -> statement.setString(1, username.value()),
                () -> new AccountNotFoundException(username), change);
    }

    /**
     * Pessimistic exactly-once deposit, in one transaction: lock the account row, then look the request id up (after
     * the lock, so a concurrent request with the same id has committed or rolled back by now), then either answer the
     * recorded receipt or write the balance and record the id.
     */
    @Override
    public DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount) {
        return transactions.inTransaction("deposit into account " + id + " as request '" + requestId + "'",
                connection -> {
                    Account before = lock(connection, lockById, statement -> statement.setLong(1, id.value()))
                            .orElseThrow(() -> new AccountNotFoundException(id));
                    Optional<DepositReceipt> recorded = Transactions.query(connection, SELECT_RECEIPT,
                            lookup -> lookup.setString(1, requestId.value()),
                            rows -> Rows.recordedReceipt(requestId, rows));
                    if (recorded.isPresent()) {
                        return recorded.get().replayFor(id, amount);
                    }
                    Account after = before.deposit(amount);
                    try (PreparedStatement write = connection.prepareStatement(WRITE_RECORD_AND_COMMIT)) {
                        write.setBigDecimal(1, after.balance().amount());
                        write.setLong(2, after.version());
                        write.setLong(3, id.value());
                        write.setString(4, requestId.value());
                        write.setLong(5, id.value());
                        write.setBigDecimal(6, amount.amount());
                        write.setBigDecimal(7, after.balance().amount());
                        write.setLong(8, after.version());
                        write.execute();
                    } catch (SQLException e) {
                        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                            // Another transaction recorded this request id after our look-up (for another account:
                            // the row lock on ours did not exclude it). Retried, the look-up finds that receipt and
                            // replays it, or refuses a different deposit with RequestIdConflictException.
                            throw new ConcurrentUpdateException("request '" + requestId + "' was recorded"
                                    + " concurrently", e);
                        }
                        throw e;
                    }
                    return new DepositReceipt(requestId, id, amount, after.balance(), after.version(), false);
                });
    }

    private Updated<Account> lockChangeWrite(String which, String lockSql, Binder key,
                                             Supplier<AccountNotFoundException> notFound,
                                             UnaryOperator<Account> change) {
        return transactions.inTransaction("update " + which, connection -> {
            Account before = lock(connection, lockSql, key).orElseThrow(notFound);
            Account after = change.apply(before);
            if (!after.equals(before)) {
                try (PreparedStatement write = connection.prepareStatement(WRITE_AND_COMMIT)) {
                    write.setBigDecimal(1, after.balance().amount());
                    write.setLong(2, after.version());
                    write.setLong(3, before.id().value());
                    write.execute();
                }
            }
            return new Updated<>(before, after);
        });
    }

    /** The locking read: {@code SET LOCAL lock_timeout} and {@code SELECT … FOR NO KEY UPDATE} in one message. */
    private static Optional<Account> lock(Connection connection, String sql, Binder key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            key.bind(statement);
            try (ResultSet rows = LockingSql.firstResultSet(statement)) {
                return Rows.nextAccount(rows);
            }
        }
    }
}
