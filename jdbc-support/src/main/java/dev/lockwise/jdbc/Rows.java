package dev.lockwise.jdbc;

import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactState;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rows of the schema's tables as domain objects, the same for every adapter. Each reader expects the columns in
 * the order its constant names them, whichever way the adapter builds its {@code SELECT}.
 */
public final class Rows {
    /** The columns {@link #account} reads, in order. */
    public static final String ACCOUNT_COLUMNS = "id, username, balance, version";
    /** The columns of {@code deposit_request} that {@link #recordedReceipt} reads, in order. */
    public static final String RECEIPT_COLUMNS = "account_id, amount, balance_after, version_after";
    /** The columns {@link #verFact} reads, in order. */
    public static final String VERFACT_COLUMNS = "id, state, processed, version";

    private Rows() {
    }

    /**
     * The account on the current row ({@link #ACCOUNT_COLUMNS}).
     *
     * @param row a result set positioned on a row with {@link #ACCOUNT_COLUMNS}
     * @return the account on that row
     * @throws SQLException as the driver reports it
     */
    public static Account account(ResultSet row) throws SQLException {
        return new Account(new AccountId(row.getLong(1)), new Username(row.getString(2)),
                new Money(row.getBigDecimal(3)), row.getLong(4));
    }

    /**
     * The account on the next row, if there is one.
     *
     * @param rows a result set with {@link #ACCOUNT_COLUMNS}; advanced by one row
     * @return the account on the next row, or empty if there is none
     * @throws SQLException as the driver reports it
     */
    public static Optional<Account> nextAccount(ResultSet rows) throws SQLException {
        return rows.next() ? Optional.of(account(rows)) : Optional.empty();
    }

    /**
     * The receipt recorded for {@code requestId} on the next row ({@link #RECEIPT_COLUMNS}), if there is one.
     *
     * @param requestId the request id the row was looked up by; the receipt carries it
     * @param rows      a result set with {@link #RECEIPT_COLUMNS}; advanced by one row
     * @return the recorded receipt, marked replayed, or empty if there is no next row
     * @throws SQLException as the driver reports it
     */
    public static Optional<DepositReceipt> recordedReceipt(RequestId requestId, ResultSet rows) throws SQLException {
        if (!rows.next()) {
            return Optional.empty();
        }
        return Optional.of(new DepositReceipt(requestId, new AccountId(rows.getLong(1)), new Money(rows.getBigDecimal(2)),
                new Money(rows.getBigDecimal(3)), rows.getLong(4), true));
    }

    /**
     * The fact on the current row ({@link #VERFACT_COLUMNS}; the state is its one-letter code).
     *
     * @param row a result set positioned on a row with {@link #VERFACT_COLUMNS}
     * @return the fact on that row
     * @throws SQLException as the driver reports it
     */
    public static VerFact verFact(ResultSet row) throws SQLException {
        return new VerFact(new VerFactId(row.getLong(1)), VerFactState.ofCode(row.getString(2)), row.getBoolean(3),
                row.getLong(4));
    }

    /**
     * Every remaining row's fact.
     *
     * @param rows a result set with {@link #VERFACT_COLUMNS}; read to its end
     * @return the facts in row order; empty if no rows remain
     * @throws SQLException as the driver reports it
     */
    public static List<VerFact> verFacts(ResultSet rows) throws SQLException {
        List<VerFact> facts = new ArrayList<>();
        while (rows.next()) {
            facts.add(verFact(rows));
        }
        return facts;
    }

    /**
     * Every remaining row's first column as a fact id.
     *
     * @param rows a result set whose first column is a fact id; read to its end
     * @return the ids in row order; empty if no rows remain
     * @throws SQLException as the driver reports it
     */
    public static List<VerFactId> verFactIds(ResultSet rows) throws SQLException {
        List<VerFactId> ids = new ArrayList<>();
        while (rows.next()) {
            ids.add(new VerFactId(rows.getLong(1)));
        }
        return ids;
    }
}
