package dev.lockwise.application.retry;

import dev.lockwise.domain.Updated;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;

import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Accounts whose attempts depend on how the previous attempt of the same call ended (the adaptive strategy).
 * {@link dev.lockwise.application.Deposit Deposit} passes each {@link Attempt} it gets from {@link ConflictRetry}; called through the plain port, an
 * attempt counts as a first one.
 */
public interface RetryAwareAccountRepository extends AccountRepository {
    /**
     * As {@link AccountRepository#update(AccountId, UnaryOperator)}, for this attempt of a call.
     *
     * @param id      the account
     * @param change  the pure change to apply
     * @param attempt which attempt this is, and whether the one before it conflicted
     * @return the account before and after
     */
    Updated<Account> update(AccountId id, UnaryOperator<Account> change, Attempt attempt);

    /**
     * As {@link AccountRepository#update(Username, UnaryOperator)}, for this attempt of a call.
     *
     * @param username the account's username
     * @param change   the pure change to apply
     * @param attempt  which attempt this is, and whether the one before it conflicted
     * @return the account before and after
     */
    Updated<Account> update(Username username, UnaryOperator<Account> change, Attempt attempt);

    /**
     * As {@link AccountRepository#depositOnce}, for this attempt of a call.
     *
     * @param requestId the caller's request id
     * @param id        the account
     * @param amount    the positive amount
     * @param attempt   which attempt this is, and whether the one before it conflicted
     * @return the receipt, replayed if the request id was recorded before
     */
    DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount, Attempt attempt);

    @Override
    default Updated<Account> update(AccountId id, UnaryOperator<Account> change) {
        return update(id, change, Attempt.FIRST);
    }

    @Override
    default Updated<Account> update(Username username, UnaryOperator<Account> change) {
        return update(username, change, Attempt.FIRST);
    }

    @Override
    default DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount) {
        return depositOnce(requestId, id, amount, Attempt.FIRST);
    }

    /**
     * {@code accounts} as a repository that takes attempts: itself if it does, else one that ignores them (every
     * attempt of the optimistic and pessimistic strategies is alike).
     *
     * @param accounts any accounts
     * @return a repository that can be told about attempts
     */
    static RetryAwareAccountRepository of(AccountRepository accounts) {
        if (accounts instanceof RetryAwareAccountRepository aware) {
            return aware;
        }
        return new RetryAwareAccountRepository() {
            @Override
            public Updated<Account> update(AccountId id, UnaryOperator<Account> change, Attempt attempt) {
                return accounts.update(id, change);
            }

            @Override
            public Updated<Account> update(Username username, UnaryOperator<Account> change, Attempt attempt) {
                return accounts.update(username, change);
            }

            @Override
            public DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount, Attempt attempt) {
                return accounts.depositOnce(requestId, id, amount);
            }

            @Override
            public Account open(Username username, Money initialBalance) {
                return accounts.open(username, initialBalance);
            }

            @Override
            public Optional<Account> find(AccountId id) {
                return accounts.find(id);
            }

            @Override
            public Optional<Account> find(Username username) {
                return accounts.find(username);
            }
        };
    }
}
