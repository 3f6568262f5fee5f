package dev.lockwise.contract;

import dev.lockwise.domain.Updated;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactNotFoundException;
import dev.lockwise.domain.verfact.VerFactRepository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * Deliberately broken repositories, kept to show that {@link StrategyContract} catches a lost update: they read, apply
 * the change in the JVM and write the result back with {@code WHERE id = ?} alone (no version check, no row lock), the
 * classic read-modify-write race. Reads and inserts go to the real adapters. Never use them.
 */
final class LastWriteWinsRepositories {
    private LastWriteWinsRepositories() {
    }

    static AccountRepository accounts(DataSource dataSource, AccountRepository real) {
        return new AccountRepository() {
            @Override
            public Account open(Username username, Money initialBalance) {
                return real.open(username, initialBalance);
            }

            @Override
            public Optional<Account> find(AccountId id) {
                return real.find(id);
            }

            @Override
            public Optional<Account> find(Username username) {
                return real.find(username);
            }

            @Override
            public Updated<Account> update(AccountId id, UnaryOperator<Account> change) {
                Account before = real.find(id).orElseThrow(() -> new AccountNotFoundException(id));
                Account after = change.apply(before);
                write(dataSource, "UPDATE account SET balance = ?, version = ? WHERE id = ?", statement -> {
                    statement.setBigDecimal(1, after.balance().amount());
                    statement.setLong(2, after.version());
                    statement.setLong(3, id.value());
                });
                return new Updated<>(before, after);
            }

            @Override
            public Updated<Account> update(Username username, UnaryOperator<Account> change) {
                return update(real.find(username).orElseThrow(() -> new AccountNotFoundException(username)).id(),
                        change);
            }

            @Override
            public DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount) {
                return real.depositOnce(requestId, id, amount);
            }
        };
    }

    static VerFactRepository verFacts(DataSource dataSource, VerFactRepository real) {
        return new VerFactRepository() {
            @Override
            public VerFact insert() {
                return real.insert();
            }

            @Override
            public Optional<VerFact> find(VerFactId id) {
                return real.find(id);
            }

            @Override
            public List<VerFact> findAll() {
                return real.findAll();
            }

            @Override
            public List<VerFactId> findAllIds() {
                return real.findAllIds();
            }

            @Override
            public Updated<VerFact> update(VerFactId id, UnaryOperator<VerFact> change) {
                VerFact before = real.find(id).orElseThrow(() -> new VerFactNotFoundException(id));
                VerFact after = change.apply(before);
                write(dataSource, "UPDATE verfact SET state = ?, processed = ?, version = ? WHERE id = ?", statement -> {
                    statement.setString(1, after.processed() ? "P" : "I");
                    statement.setBoolean(2, after.processed());
                    statement.setLong(3, after.version());
                    statement.setLong(4, id.value());
                });
                return new Updated<>(before, after);
            }
        };
    }

    private interface Binding {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private static void write(DataSource dataSource, String sql, Binding binding) {
        LockSupport.parkNanos(1_000_000); // a client's round trip between its read and its write: others read meanwhile
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            binding.bind(statement);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
