package dev.lockwise.domain.account;

import dev.lockwise.domain.InvalidAmountException;

import java.util.Objects;

/**
 * An account as read from the database. Immutable: a change returns the account as it must be written, with the
 * version one higher, so that whichever strategy persists it can detect or prevent a concurrent change.
 *
 * @param id       the database's id
 * @param username the unique name
 * @param balance  the balance, never negative
 * @param version  how many changes were written, starting at 0; never negative
 */
public record Account(AccountId id, Username username, Money balance, long version) {
    /**
     * Checks that every component is present and the version is not negative.
     *
     * @param id       the database's id
     * @param username the unique name
     * @param balance  the balance
     * @param version  how many changes were written; not negative
     */
    public Account {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(balance, "balance");
        if (version < 0) {
            throw new IllegalArgumentException("version must not be negative, got " + version);
        }
    }

    /**
     * @param amount what is deposited; must be positive
     * @return this account after receiving {@code amount}, its version one higher
     * @throws InvalidAmountException if the amount is not positive or the balance would overflow
     */
    public Account deposit(Money amount) {
        requirePositive(amount);
        return new Account(id, username, balance.plus(amount), version + 1);
    }

    /**
     * Refuses an amount that is missing, zero or negative, before any SQL.
     *
     * @param amount the amount to deposit
     * @throws InvalidAmountException if it is not positive
     */
    public static void requirePositive(Money amount) {
        Objects.requireNonNull(amount, "amount");
        if (!amount.isPositive()) {
            throw new InvalidAmountException("deposit amount must be positive, got " + amount);
        }
    }
}
