package dev.lockwise.application;

import dev.lockwise.application.events.Operation;
import dev.lockwise.application.retry.Attempt;
import dev.lockwise.application.retry.ConflictRetry;
import dev.lockwise.application.retry.RetryAwareAccountRepository;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;

import java.util.Objects;

/**
 * Adds money to an account without ever losing a concurrent deposit. The amount is checked before any SQL; each
 * attempt reads the account afresh; conflicts are retried by {@link ConflictRetry}.
 */
public final class Deposit {
    private final RetryAwareAccountRepository accounts;
    private final ConflictRetry retry;

    /**
     * @param accounts the strategy's accounts; a {@link RetryAwareAccountRepository} is told about each attempt
     * @param retry    runs the attempts
     */
    public Deposit(AccountRepository accounts, ConflictRetry retry) {
        this.accounts = RetryAwareAccountRepository.of(Objects.requireNonNull(accounts, "accounts"));
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    /**
     * Deposits {@code amount}, retrying attempts that lose a race.
     *
     * @param id     the account
     * @param amount the amount, positive
     * @return the account as this deposit left it
     * @throws dev.lockwise.domain.RetriesExhaustedException if every permitted attempt lost a race
     */
    public Account depositTo(AccountId id, Money amount) {
        Objects.requireNonNull(id, "id");
        Account.requirePositive(amount);
        return retry.call(Operation.DEPOSIT, (Attempt attempt) -> accounts.update(id, account -> account.deposit(amount),
                attempt)).after();
    }

    /**
     * Exactly once: a deposit carrying a caller-chosen request id. Repeating the id (say, after a timeout whose
     * outcome was unknown) returns the first outcome without applying it again.
     *
     * @param requestId the caller's idempotency key
     * @param id        the account
     * @param amount    the amount, positive
     * @return the receipt: this deposit's, or the first one's under the same id ({@code replayed})
     * @throws dev.lockwise.domain.account.RequestIdConflictException if the id was used for another account or amount
     */
    public DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount) {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(id, "id");
        Account.requirePositive(amount);
        return retry.call(Operation.DEPOSIT, (Attempt attempt) -> accounts.depositOnce(requestId, id, amount, attempt));
    }

    /**
     * As {@link #depositOnce(RequestId, AccountId, Money)}, finding the account by its username.
     *
     * @param requestId the caller's idempotency key
     * @param username  the account's name
     * @param amount    the amount, positive
     * @return the receipt
     */
    public DepositReceipt depositOnce(RequestId requestId, Username username, Money amount) {
        Objects.requireNonNull(username, "username");
        Account.requirePositive(amount);
        AccountId id = accounts.find(username).orElseThrow(() -> new AccountNotFoundException(username)).id();
        return depositOnce(requestId, id, amount);
    }

    /**
     * As {@link #depositTo(AccountId, Money)}, finding the account by its username.
     *
     * @param username the account's name
     * @param amount   the amount, positive
     * @return the account as this deposit left it
     */
    public Account depositTo(Username username, Money amount) {
        Objects.requireNonNull(username, "username");
        Account.requirePositive(amount);
        return retry.call(Operation.DEPOSIT, (Attempt attempt) -> accounts.update(username,
                account -> account.deposit(amount), attempt)).after();
    }
}
