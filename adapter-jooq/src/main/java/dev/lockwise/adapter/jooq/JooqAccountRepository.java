package dev.lockwise.adapter.jooq;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DuplicateUsernameException;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import org.jooq.impl.DSL;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static dev.lockwise.adapter.jooq.generated.Tables.ACCOUNT;

/**
 * Optimistic accounts on jOOQ. An update reads the row (no lock), applies the change in Java, and writes with
 * {@code UPDATE account SET balance = ?, version = version + 1 WHERE id = ? AND version = ?}; if no row matched,
 * somebody else wrote first and the attempt fails with {@link ConcurrentUpdateException}. jOOQ's own optimistic
 * locking covers only {@code UpdatableRecord.store()}, so the version predicate is written out here.
 */
public final class JooqAccountRepository implements AccountRepository {
    private final JooqSupport jooq;
    private final String selectById;
    private final String selectByUsername;
    private final String updateIfVersion;
    private final String insert;

    public JooqAccountRepository(DataSource dataSource) {
        this.jooq = new JooqSupport(dataSource);
        var columns = DSL.select(ACCOUNT.ID, ACCOUNT.USERNAME, ACCOUNT.BALANCE, ACCOUNT.VERSION).from(ACCOUNT);
        this.selectById = jooq.render(columns.where(ACCOUNT.ID.eq(DSL.param("id", Long.class))));
        this.selectByUsername = jooq.render(DSL.select(ACCOUNT.ID, ACCOUNT.USERNAME, ACCOUNT.BALANCE, ACCOUNT.VERSION)
                .from(ACCOUNT).where(ACCOUNT.USERNAME.eq(DSL.param("username", String.class))));
        // Binds: balance, id, version.
        this.updateIfVersion = jooq.render(DSL.update(ACCOUNT)
                .set(ACCOUNT.BALANCE, DSL.param("balance", BigDecimal.class))
                .set(ACCOUNT.VERSION, ACCOUNT.VERSION.plus(DSL.inline(1L)))
                .where(ACCOUNT.ID.eq(DSL.param("id", Long.class)))
                .and(ACCOUNT.VERSION.eq(DSL.param("version", Long.class))));
        // Binds: username, balance.
        this.insert = jooq.render(DSL.insertInto(ACCOUNT)
                .set(ACCOUNT.USERNAME, DSL.param("username", String.class))
                .set(ACCOUNT.BALANCE, DSL.param("balance", BigDecimal.class))
                .set(ACCOUNT.VERSION, DSL.inline(0L))
                .onConflict(ACCOUNT.USERNAME).doNothing()
                .returning(ACCOUNT.ID, ACCOUNT.USERNAME, ACCOUNT.BALANCE, ACCOUNT.VERSION));
    }

    @Override
    public Account open(Username username, Money initialBalance) {
        return jooq.execute("open account '" + username + "'", insert, statement -> {
            statement.setString(1, username.value());
            statement.setBigDecimal(2, initialBalance.amount());
            return readOne(statement);
        }).orElseThrow(() -> new DuplicateUsernameException(username));
    }

    @Override
    public Optional<Account> find(AccountId id) {
        return jooq.execute("read account " + id, selectById, statement -> {
            statement.setLong(1, id.value());
            return readOne(statement);
        });
    }

    @Override
    public Optional<Account> find(Username username) {
        return jooq.execute("read account '" + username + "'", selectByUsername, statement -> {
            statement.setString(1, username.value());
            return readOne(statement);
        });
    }

    @Override
    public Updated<Account> update(AccountId id, UnaryOperator<Account> change) {
        return update("account " + id, () -> find(id).orElseThrow(() -> new AccountNotFoundException(id)), change);
    }

    @Override
    public Updated<Account> update(Username username, UnaryOperator<Account> change) {
        return update("account '" + username + "'",
                () -> find(username).orElseThrow(() -> new AccountNotFoundException(username)), change);
    }

    private Updated<Account> update(String which, Supplier<Account> read, UnaryOperator<Account> change) {
        Account before = read.get();
        Account after = change.apply(before);
        if (after.equals(before)) {
            return new Updated<>(before, after);
        }
        int rows = jooq.execute("update " + which, updateIfVersion, statement -> {
            statement.setBigDecimal(1, after.balance().amount());
            statement.setLong(2, before.id().value());
            statement.setLong(3, before.version());
            return statement.executeUpdate();
        });
        if (rows == 0) {
            throw new ConcurrentUpdateException(which + " changed after it was read at version " + before.version());
        }
        return new Updated<>(before, after);
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
