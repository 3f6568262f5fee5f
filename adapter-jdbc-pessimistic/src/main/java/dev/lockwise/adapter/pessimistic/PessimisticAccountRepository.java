package dev.lockwise.adapter.pessimistic;

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

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Pessimistic accounts on plain JDBC. An update is one transaction: {@code SELECT … FOR NO KEY UPDATE} locks the row
 * (a concurrent writer waits, up to the lock timeout), the change is applied in Java, then {@code UPDATE} and commit.
 * {@code NO KEY UPDATE} rather than {@code UPDATE}: the key does not change, so inserts that reference the row by
 * foreign key are not blocked.
 */
public final class PessimisticAccountRepository implements AccountRepository {
    private static final String COLUMNS = "SELECT id, username, balance, version FROM account";
    private static final String LOCK_BY_ID = COLUMNS + " WHERE id = ? FOR NO KEY UPDATE";
    private static final String LOCK_BY_USERNAME = COLUMNS + " WHERE username = ? FOR NO KEY UPDATE";
    private static final String WRITE = "UPDATE account SET balance = ?, version = ? WHERE id = ?";
    private static final String WRITE_AND_COMMIT = Transactions.committing(WRITE);
    private static final String INSERT = "INSERT INTO account (username, balance, version) SELECT ?, ?, 0 FROM %s"
            + " ON CONFLICT (username) DO NOTHING RETURNING id, username, balance, version";

    private static final String SELECT_RECEIPT = "SELECT account_id, amount, balance_after, version_after"
            + " FROM deposit_request WHERE request_id = ?";
    private static final String INSERT_RECEIPT = "INSERT INTO deposit_request"
            + " (request_id, account_id, amount, balance_after, version_after) VALUES (?, ?, ?, ?, ?)";
    private static final String WRITE_RECORD_AND_COMMIT = Transactions.committing(WRITE + "; " + INSERT_RECEIPT);

    private final Transactions transactions;
    private final String lockById;
    private final String lockByUsername;
    private final String insert;

    public PessimisticAccountRepository(DataSource dataSource, Duration lockTimeout) {
        this.transactions = new Transactions(dataSource, lockTimeout);
        this.lockById = transactions.locking(LOCK_BY_ID);
        this.lockByUsername = transactions.locking(LOCK_BY_USERNAME);
        this.insert = String.format(INSERT, transactions.lockTimeoutSource());
    }

    @Override
    public Account open(Username username, Money initialBalance) {
        return transactions.autocommit("open account '" + username + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(insert)) {
                statement.setString(1, username.value());
                statement.setBigDecimal(2, initialBalance.amount());
                return readOne(statement).orElseThrow(() -> new DuplicateUsernameException(username));
            }
        });
    }

    @Override
    public Optional<Account> find(AccountId id) {
        return transactions.autocommit("read account " + id, connection -> select(connection,
                COLUMNS + " WHERE id = ?", statement -> statement.setLong(1, id.value())));
    }

    @Override
    public Optional<Account> find(Username username) {
        return transactions.autocommit("read account '" + username + "'", connection -> select(connection,
                COLUMNS + " WHERE username = ?", statement -> statement.setString(1, username.value())));
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
                    try (PreparedStatement lookup = connection.prepareStatement(SELECT_RECEIPT)) {
                        lookup.setString(1, requestId.value());
                        try (ResultSet row = lookup.executeQuery()) {
                            if (row.next()) {
                                return new DepositReceipt(requestId, new AccountId(row.getLong(1)),
                                        new Money(row.getBigDecimal(2)), new Money(row.getBigDecimal(3)),
                                        row.getLong(4), true).replayFor(id, amount);
                            }
                        }
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

    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private static Optional<Account> select(Connection connection, String sql, Binder key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            key.bind(statement);
            return readOne(statement);
        }
    }

    /** The locking read: {@code SET LOCAL lock_timeout} and {@code SELECT … FOR NO KEY UPDATE} in one message. */
    private static Optional<Account> lock(Connection connection, String sql, Binder key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            key.bind(statement);
            try (ResultSet row = Transactions.firstResultSet(statement)) {
                return row.next() ? Optional.of(toAccount(row)) : Optional.empty();
            }
        }
    }

    private static Account toAccount(ResultSet row) throws SQLException {
        return Account.fromColumns(row.getLong(1), row.getString(2), row.getBigDecimal(3), row.getLong(4));
    }

    private static Optional<Account> readOne(PreparedStatement statement) throws SQLException {
        try (ResultSet row = statement.executeQuery()) {
            return row.next() ? Optional.of(toAccount(row)) : Optional.empty();
        }
    }
}
