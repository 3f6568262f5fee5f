package dev.lockwise.adapter.jooq;

import dev.lockwise.adapter.jooq.generated.tables.records.AccountRecord;
import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DuplicateUsernameException;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import org.jooq.Condition;
import org.jooq.DSLContext;

import javax.sql.DataSource;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static dev.lockwise.adapter.jooq.JooqSupport.translating;
import static dev.lockwise.adapter.jooq.generated.Tables.ACCOUNT;

/**
 * Optimistic accounts on jOOQ. An update reads the row (no lock), applies the change in Java, and writes with
 * {@code UPDATE account SET balance = ?, version = version + 1 WHERE id = ? AND version = ?}; if no row matched,
 * somebody else wrote first and the attempt fails with {@link ConcurrentUpdateException}. jOOQ's own optimistic
 * locking covers only {@code UpdatableRecord.store()}, so the version predicate is written out here.
 */
public final class JooqAccountRepository implements AccountRepository {
    private final DSLContext db;

    public JooqAccountRepository(DataSource dataSource) {
        this.db = JooqSupport.context(dataSource);
    }

    @Override
    public Account open(Username username, Money initialBalance) {
        return translating("open account '" + username + "'", () -> db.insertInto(ACCOUNT)
                .set(ACCOUNT.USERNAME, username.value())
                .set(ACCOUNT.BALANCE, initialBalance.amount())
                .set(ACCOUNT.VERSION, 0L)
                .onConflict(ACCOUNT.USERNAME).doNothing()
                .returning()
                .fetchOptional()
                .map(JooqAccountRepository::toAccount)
                .orElseThrow(() -> new DuplicateUsernameException(username)));
    }

    @Override
    public Optional<Account> find(AccountId id) {
        return translating("read account " + id, () -> select(ACCOUNT.ID.eq(id.value())));
    }

    @Override
    public Optional<Account> find(Username username) {
        return translating("read account '" + username + "'", () -> select(ACCOUNT.USERNAME.eq(username.value())));
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
        int rows = translating("update " + which, () -> db.update(ACCOUNT)
                .set(ACCOUNT.BALANCE, after.balance().amount())
                .set(ACCOUNT.VERSION, ACCOUNT.VERSION.plus(1L))
                .where(ACCOUNT.ID.eq(before.id().value()))
                .and(ACCOUNT.VERSION.eq(before.version()))
                .execute());
        if (rows == 0) {
            throw new ConcurrentUpdateException(which + " changed after it was read at version " + before.version());
        }
        return new Updated<>(before, after);
    }

    private Optional<Account> select(Condition condition) {
        return db.selectFrom(ACCOUNT).where(condition).fetchOptional().map(JooqAccountRepository::toAccount);
    }

    private static Account toAccount(AccountRecord row) {
        return new Account(new AccountId(row.getId()), new Username(row.getUsername()), new Money(row.getBalance()),
                row.getVersion());
    }
}
