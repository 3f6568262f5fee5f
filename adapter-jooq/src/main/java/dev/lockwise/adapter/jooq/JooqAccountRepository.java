package dev.lockwise.adapter.jooq;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.RowOutcome;
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
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

import static dev.lockwise.adapter.jooq.generated.Tables.ACCOUNT;
import static dev.lockwise.adapter.jooq.generated.Tables.DEPOSIT_REQUEST;

/**
 * Optimistic accounts on jOOQ. An update reads the row (no lock), applies the change in Java, and writes with
 * {@code UPDATE account SET balance = ?, version = version + 1 WHERE id = ? AND version = ?}; if no row matched,
 * somebody else wrote first and the attempt fails with {@link ConcurrentUpdateException}. jOOQ's own optimistic
 * locking covers only {@code UpdatableRecord.store()}, so the version predicate is written out here.
 */
public final class JooqAccountRepository implements AccountRepository {
    private final Transactions transactions;
    private final String selectById;
    private final String selectByUsername;
    private final String updateIfVersion;
    private final String insert;
    private final String selectReceipt;
    private final String insertReceipt;
    private final EachRowUpdate<AccountId, Account> eachRow;

    /**
     * With row-lock waits bounded by 5 s.
     *
     * @param dataSource the host's pool
     */
    public JooqAccountRepository(DataSource dataSource) {
        this(dataSource, Transactions.DEFAULT_LOCK_TIMEOUT);
    }

    /**
     * @param dataSource  the host's pool
     * @param lockTimeout how long a write waits for a row lock held elsewhere (1 ms to 10 minutes)
     */
    public JooqAccountRepository(DataSource dataSource, Duration lockTimeout) {
        JooqSupport jooq = new JooqSupport(dataSource, lockTimeout);
        this.transactions = jooq.transactions();
        var columns = DSL.select(ACCOUNT.ID, ACCOUNT.USERNAME, ACCOUNT.BALANCE, ACCOUNT.VERSION).from(ACCOUNT);
        this.selectById = jooq.render(columns.where(ACCOUNT.ID.eq(DSL.param("id", Long.class))));
        this.selectByUsername = jooq.render(DSL.select(ACCOUNT.ID, ACCOUNT.USERNAME, ACCOUNT.BALANCE, ACCOUNT.VERSION)
                .from(ACCOUNT).where(ACCOUNT.USERNAME.eq(DSL.param("username", String.class))));
        // Binds: balance, id, version.
        this.updateIfVersion = jooq.render(DSL.update(ACCOUNT)
                .set(ACCOUNT.BALANCE, DSL.param("balance", BigDecimal.class))
                .set(ACCOUNT.VERSION, ACCOUNT.VERSION.plus(DSL.inline(1L)))
                .from(jooq.lockTimeout())
                .where(ACCOUNT.ID.eq(DSL.param("id", Long.class)))
                .and(ACCOUNT.VERSION.eq(DSL.param("version", Long.class))));
        // Binds: username, balance.
        this.insert = jooq.render(DSL.insertInto(ACCOUNT, ACCOUNT.USERNAME, ACCOUNT.BALANCE, ACCOUNT.VERSION)
                .select(DSL.select(DSL.param("username", String.class), DSL.param("balance", BigDecimal.class),
                        DSL.inline(0L)).from(jooq.lockTimeout()))
                .onConflict(ACCOUNT.USERNAME).doNothing()
                .returning(ACCOUNT.ID, ACCOUNT.USERNAME, ACCOUNT.BALANCE, ACCOUNT.VERSION));
        this.selectReceipt = jooq.render(DSL.select(DEPOSIT_REQUEST.ACCOUNT_ID, DEPOSIT_REQUEST.AMOUNT,
                        DEPOSIT_REQUEST.BALANCE_AFTER, DEPOSIT_REQUEST.VERSION_AFTER).from(DEPOSIT_REQUEST)
                .where(DEPOSIT_REQUEST.REQUEST_ID.eq(DSL.param("request", String.class))));
        // Binds: request id, account id, amount, balance after, version after.
        this.insertReceipt = jooq.render(DSL.insertInto(DEPOSIT_REQUEST, DEPOSIT_REQUEST.REQUEST_ID,
                        DEPOSIT_REQUEST.ACCOUNT_ID, DEPOSIT_REQUEST.AMOUNT, DEPOSIT_REQUEST.BALANCE_AFTER,
                        DEPOSIT_REQUEST.VERSION_AFTER)
                .select(DSL.select(DSL.param("request", String.class), DSL.param("account", Long.class),
                        DSL.param("amount", BigDecimal.class), DSL.param("balance", BigDecimal.class),
                        DSL.param("version", Long.class)).from(jooq.lockTimeout()))
                .onConflict(DEPOSIT_REQUEST.REQUEST_ID).doNothing());
        // Written out, not built with the DSL: one SQL text per row count, exactly two statements (see EachRowUpdate).
        this.eachRow = new EachRowUpdate<>("account", "SELECT " + Rows.ACCOUNT_COLUMNS + " FROM account",
                new EachRowUpdate.Write("account", "?::bigint, ?::numeric, ?::bigint, ?::bigint", "id, balance, version",
                        "balance = c.balance, version = c.version", transactions.lockTimeoutSetting()),
                Rows::account, AccountId::value, account -> account.id().value(), Account::version,
                id -> new AccountNotFoundException(new AccountId(id)), (write, first, row) -> {
                    write.setLong(first, row.before().id().value());
                    write.setBigDecimal(first + 1, row.after().balance().amount());
                    write.setLong(first + 2, row.after().version());
                    write.setLong(first + 3, row.before().version());
                });
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
        return transactions.query("read account " + id, selectById, statement -> statement.setLong(1, id.value()),
                Rows::nextAccount);
    }

    @Override
    public Optional<Account> find(Username username) {
        return transactions.query("read account '" + username + "'", selectByUsername,
                statement -> statement.setString(1, username.value()), Rows::nextAccount);
    }

    @Override
    public Updated<Account> update(AccountId id, UnaryOperator<Account> change) {
        return update("account " + id, selectById, statement -> statement.setLong(1, id.value()),
                () -> new AccountNotFoundException(id), change);
    }

    @Override
    public Updated<Account> update(Username username, UnaryOperator<Account> change) {
        return update("account '" + username + "'", selectByUsername,
                statement -> statement.setString(1, username.value()),
                () -> new AccountNotFoundException(username), change);
    }

    /**
     * One read of every account, one write of every changed one, each conditional on its own version; see
     * {@link EachRowUpdate}. The version written is the one the change set (a change that combines several deposits
     * advances it by as many).
     */
    @Override
    public Map<AccountId, RowOutcome<Account>> updateEach(Map<AccountId, UnaryOperator<Account>> changes) {
        return eachRow.run(transactions, changes);
    }

    /**
     * Optimistic exactly-once deposit: look the request id up; if unrecorded, read the account without a lock, then in
     * one short transaction record the id and write conditionally on the version read. A lost race on either rolls
     * both back and is reported as a conflict, so the retry starts again from the lookup.
     */
    @Override
    public DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount) {
        Optional<DepositReceipt> recorded = findReceipt(requestId);
        if (recorded.isPresent()) {
            return recorded.get().replayFor(id, amount);
        }
        Account before = find(id).orElseThrow(() -> new AccountNotFoundException(id));
        Account after = before.deposit(amount);
        return transactions.inTransaction("deposit into account " + id + " as request '" + requestId + "'", connection -> {
            // The account row first, then the request id: the order the pessimistic adapter takes them in (row
            // lock, then receipt), so two attempts of one request id on one account, one optimistic and one locked
            // (the adaptive strategy mixes them), queue on the row instead of deadlocking on row and request id.
            try (PreparedStatement write = connection.prepareStatement(updateIfVersion)) {
                write.setBigDecimal(1, after.balance().amount());
                write.setLong(2, id.value());
                write.setLong(3, before.version());
                if (write.executeUpdate() == 0) {
                    throw new ConcurrentUpdateException("account " + id + " changed after it was read at version "
                            + before.version());
                }
            }
            try (PreparedStatement record = connection.prepareStatement(insertReceipt)) {
                record.setString(1, requestId.value());
                record.setLong(2, id.value());
                record.setBigDecimal(3, amount.amount());
                record.setBigDecimal(4, after.balance().amount());
                record.setLong(5, after.version());
                if (record.executeUpdate() == 0) {
                    throw new ConcurrentUpdateException("request '" + requestId + "' was recorded concurrently");
                }
            }
            return new DepositReceipt(requestId, id, amount, after.balance(), after.version(), false);
        });
    }

    private Optional<DepositReceipt> findReceipt(RequestId requestId) {
        return transactions.query("look up request '" + requestId + "'", selectReceipt,
                statement -> statement.setString(1, requestId.value()), rows -> Rows.recordedReceipt(requestId, rows));
    }

    /** Read (no lock), change in Java, conditional write: two autocommit statements on one pooled connection. */
    private Updated<Account> update(String which, String select, Binder key,
                                    Supplier<AccountNotFoundException> notFound, UnaryOperator<Account> change) {
        return transactions.autocommit("update " + which, connection -> {
            Account before = Transactions.query(connection, select, key, Rows::nextAccount).orElseThrow(notFound);
            Account after = change.apply(before);
            if (after.equals(before)) {
                return new Updated<>(before, after);
            }
            try (PreparedStatement write = connection.prepareStatement(updateIfVersion)) {
                write.setBigDecimal(1, after.balance().amount());
                write.setLong(2, before.id().value());
                write.setLong(3, before.version());
                if (write.executeUpdate() == 0) {
                    throw new ConcurrentUpdateException(which + " changed after it was read at version "
                            + before.version());
                }
            }
            return new Updated<>(before, after);
        });
    }
}
