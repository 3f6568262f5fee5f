package dev.lockwise.application;

import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;

import java.util.Objects;

/**
 * Adds money to an account without ever losing a concurrent deposit. The amount is checked before any SQL; each
 * attempt reads the account afresh; conflicts are retried by {@link ConflictRetry}.
 */
public final class Deposit {
    private final AccountRepository accounts;
    private final ConflictRetry retry;

    public Deposit(AccountRepository accounts, ConflictRetry retry) {
        this.accounts = Objects.requireNonNull(accounts, "accounts");
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    /** @return the account as this deposit left it */
    public Account depositTo(AccountId id, Money amount) {
        Objects.requireNonNull(id, "id");
        Account.requirePositive(amount);
        return retry.call(Operation.DEPOSIT, () -> accounts.update(id, account -> account.deposit(amount))).after();
    }

    /** @return the account as this deposit left it */
    public Account depositTo(Username username, Money amount) {
        Objects.requireNonNull(username, "username");
        Account.requirePositive(amount);
        return retry.call(Operation.DEPOSIT, () -> accounts.update(username, account -> account.deposit(amount)))
                .after();
    }
}
