package dev.lockwise.domain.account;

import java.util.Objects;

/**
 * The recorded outcome of an exactly-once deposit. {@code replayed} is true when this call found the request id
 * already recorded and applied nothing.
 *
 * @param requestId    the caller's idempotency key
 * @param accountId    the account deposited into
 * @param amount       the amount deposited
 * @param balanceAfter the balance right after this deposit was applied
 * @param versionAfter the account's version right after it
 * @param replayed     whether this call found the deposit already recorded and applied nothing
 */
public record DepositReceipt(RequestId requestId, AccountId accountId, Money amount, Money balanceAfter,
                             long versionAfter, boolean replayed) {
    /**
     * Checks that every component is present.
     *
     * @param requestId    the caller's idempotency key
     * @param accountId    the account deposited into
     * @param amount       the amount deposited
     * @param balanceAfter the balance right after this deposit
     * @param versionAfter the account's version right after it
     * @param replayed     whether the deposit had been recorded before this call
     */
    public DepositReceipt {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(balanceAfter, "balanceAfter");
    }

    /**
     * @param account the account now asked for
     * @param asked   the amount now asked for
     * @return whether this receipt records the same deposit as the one now asked for
     */
    public boolean matches(AccountId account, Money asked) {
        return accountId.equals(account) && amount.equals(asked);
    }

    /**
     * This recorded receipt, answered again for a repeated request.
     *
     * @param account the account the repeated request asks for
     * @param asked   the amount it asks for
     * @return this receipt, marked replayed
     * @throws RequestIdConflictException if the repeated request asks for another account or amount
     */
    public DepositReceipt replayFor(AccountId account, Money asked) {
        if (!matches(account, asked)) {
            throw new RequestIdConflictException(requestId, this);
        }
        return new DepositReceipt(requestId, accountId, amount, balanceAfter, versionAfter, true);
    }
}
