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
    private static final String INSERT = "INSERT INTO account (username, balance, version) VALUES (?, ?, 0)"
            + " ON CONFLICT (username) DO NOTHING RETURNING id, username, balance, version";

    private static final String SELECT_RECEIPT = "SELECT account_id, amount, balance_after, version_after"
            + " FROM deposit_request WHERE request_id = ?";
    private static final String INSERT_RECEIPT = "INSERT INTO deposit_request"
            + " (request_id, account_id, amount, balance_after, version_after) VALUES (?, ?, ?, ?, ?)";

    private final Transactions transactions;

    public PessimisticAccountRepository(DataSource dataSource, Duration lockTimeout) {
        this.transactions = new Transactions(dataSource, lockTimeout);
    }

    @Override
    public Account open(Username username, Money initialBalance) {
        return transactions.autocommit("open account '" + username + "'", connection -> {
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                insert.setString(1, username.value());
                insert.setBigDecimal(2, initialBalance.amount());
                return readOne(insert).orElseThrow(() -> new DuplicateUsernameException(username));
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
        return lockChangeWrite("account " + id, LOCK_BY_ID, statement -> statement.setLong(1, id.value()),
                () -> new AccountNotFoundException(id), change);
    }

    @Override
    public Updated<Account> update(Username username, UnaryOperator<Account> change) {
        return lockChangeWrite("account '" + username + "'", LOCK_BY_USERNAME,
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
                    Account before = select(connection, LOCK_BY_ID, statement -> statement.setLong(1, id.value()))
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
                    try (PreparedStatement write = connection.prepareStatement(WRITE)) {
                        write.setBigDecimal(1, after.balance().amount());
                        write.setLong(2, after.version());
                        write.setLong(3, id.value());
                        write.executeUpdate();
                    }
                    try (PreparedStatement record = connection.prepareStatement(INSERT_RECEIPT)) {
                        record.setString(1, requestId.value());
                        record.setLong(2, id.value());
                        record.setBigDecimal(3, amount.amount());
                        record.setBigDecimal(4, after.balance().amount());
                        record.setLong(5, after.version());
                        record.executeUpdate();
                    }
                    return new DepositReceipt(requestId, id, amount, after.balance(), after.version(), false);
                });
    }

    private Updated<Account> lockChangeWrite(String which, String lockSql, Binder key,
                                             Supplier<AccountNotFoundException> notFound,
                                             UnaryOperator<Account> change) {
        return transactions.inTransaction("update " + which, connection -> {
            Account before = select(connection, lockSql, key).orElseThrow(notFound);
            Account after = change.apply(before);
            if (!after.equals(before)) {
                try (PreparedStatement write = connection.prepareStatement(WRITE)) {
                    write.setBigDecimal(1, after.balance().amount());
                    write.setLong(2, after.version());
                    write.setLong(3, before.id().value());
                    write.executeUpdate();
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

    private static Optional<Account> readOne(PreparedStatement statement) throws SQLException {
        try (ResultSet row = statement.executeQuery()) {
            if (!row.next()) {
                return Optional.empty();
            }
            return Optional.of(new Account(new AccountId(row.getLong(1)), new Username(row.getString(2)),
                    new Money(row.getBigDecimal(3)), row.getLong(4)));
        }
    }
}
