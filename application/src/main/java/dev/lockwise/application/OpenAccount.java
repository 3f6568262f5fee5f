package dev.lockwise.application;

import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;

import java.util.Objects;

/**
 * Creates an account with an opening balance (zero or more) and version 0. Its name may not hold invisible or
 * text-direction characters ({@link Username#requireNoLookAlikes()}).
 */
public final class OpenAccount {
    private final AccountRepository accounts;

    /** @param accounts where accounts are stored */
    public OpenAccount(AccountRepository accounts) {
        this.accounts = Objects.requireNonNull(accounts, "accounts");
    }

    /**
     * @param username       the new account's name: not taken, without look-alike characters
     * @param openingBalance its balance to start with, zero or more
     * @return the account as stored, with its id and version 0
     * @throws dev.lockwise.domain.account.DuplicateUsernameException if the name is taken
     * @throws dev.lockwise.domain.InvalidInputException              if the name has look-alike characters
     */
    public Account open(Username username, Money openingBalance) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(openingBalance, "openingBalance");
        return accounts.open(username.requireNoLookAlikes(), openingBalance);
    }
}
