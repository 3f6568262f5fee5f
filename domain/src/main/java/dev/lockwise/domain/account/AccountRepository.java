package dev.lockwise.domain.account;

import dev.lockwise.domain.RowOutcome;
import dev.lockwise.domain.Updated;

import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Accounts, whichever way concurrent changes are kept safe.
 *
 * <p>Why "apply this change to the row" rather than load + save: the two strategies differ in <em>when</em> the
 * row is protected. Optimistic reads without a lock and makes the write conditional on the version it read;
 * pessimistic locks the row before reading and writes in the same transaction. A load/save pair would force one
 * shape on both (or leak a transaction port into the domain). Handing the adapter a pure function lets each one
 * run read, change and write in its own safe way, while the change itself stays domain logic.
 *
 * <p>Contract for {@link #update}: {@code change} is pure and may be called more than once by an adapter; it must
 * not have side effects. If it returns an equal account, nothing is written. One call is one attempt: a lost race
 * is reported as {@link dev.lockwise.domain.ConcurrentUpdateException}, and retrying is the application's job.
 */
public interface AccountRepository {

    /**
     * Inserts a new account with version 0.
     *
     * @param username       the new account's name, not taken yet
     * @param initialBalance its balance to start with
     * @return the account as inserted, with its id
     * @throws DuplicateUsernameException if the username is taken
     */
    Account open(Username username, Money initialBalance);

    /**
     * The account with this id, if any; a plain read, no lock.
     *
     * @param id the account id
     * @return the account as stored
     */
    Optional<Account> find(AccountId id);

    /**
     * The account with this username, if any; a plain read, no lock.
     *
     * @param username the username
     * @return the account as stored
     */
    Optional<Account> find(Username username);

    /**
     * One attempt at a safe read-modify-write.
     *
     * @param id     the account to change
     * @param change the change, pure: it may be applied to a re-read row
     * @return the account as read and as written (equal when there was nothing to do)
     * @throws AccountNotFoundException                     if there is no such account
     * @throws dev.lockwise.domain.ConcurrentUpdateException if this attempt lost a race
     */
    Updated<Account> update(AccountId id, UnaryOperator<Account> change);

    /**
     * As {@link #update(AccountId, UnaryOperator)}, finding the account by its username.
     *
     * @param username the account to change
     * @param change   the change, pure
     * @return the account as read and as written
     */
    Updated<Account> update(Username username, UnaryOperator<Account> change);

    /**
     * One attempt at several accounts at once, each with its own change: as if {@link #update(AccountId,
     * UnaryOperator)} were called for each, but an adapter may read them all in one statement and write them all in
     * another, each row's version checked on its own. One row's lost race, missing row or failing change is that
     * row's outcome and does not stop the others. The default runs one attempt per row, one after the other.
     *
     * @param changes the change per account; each pure, as for {@code update}
     * @return the outcome per account, one for each key of {@code changes}
     * @throws dev.lockwise.domain.LockwiseException if the statements themselves failed (a lost connection, say):
     *                                              then no row's outcome is known, and each may or may not have been
     *                                              written, as for a single {@code update} whose commit went unanswered
     */
    default Map<AccountId, RowOutcome<Account>> updateEach(Map<AccountId, UnaryOperator<Account>> changes) {
        return RowOutcome.eachAlone(changes, change -> update(change.getKey(), change.getValue()));
    }

    /**
     * One attempt at an exactly-once deposit: the balance change and the request id are recorded in one
     * transaction. If the request id is already recorded, nothing is applied and the recorded receipt is returned
     * with {@code replayed = true} — also when the first attempt's commit was reported as failed but happened.
     *
     * @param requestId the caller's idempotency key
     * @param id        the account to deposit into
     * @param amount    the amount, positive
     * @return the receipt: this deposit's, or the one recorded first under the same request id
     * @throws RequestIdConflictException if the id was recorded for another account or amount
     * @throws AccountNotFoundException   if there is no such account
     */
    DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount);
}
