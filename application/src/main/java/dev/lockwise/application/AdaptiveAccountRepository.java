package dev.lockwise.application;

import dev.lockwise.domain.Updated;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;

import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Accounts with the adaptive strategy: optimistic while a row is calm, the row lock once it is hot
 * (see {@link AdaptivePath}). Reads and inserts go to the optimistic repository; they take no lock either way.
 */
public final class AdaptiveAccountRepository implements AccountRepository {
    private final AccountRepository optimistic;
    private final AccountRepository pessimistic;
    private final AdaptivePath<Account> path;

    public AdaptiveAccountRepository(AccountRepository optimistic, AccountRepository pessimistic, HotRows hotRows,
                                     LockwiseEvents events) {
        this.optimistic = Objects.requireNonNull(optimistic, "optimistic");
        this.pessimistic = Objects.requireNonNull(pessimistic, "pessimistic");
        this.path = new AdaptivePath<>(hotRows, events, Operation.DEPOSIT, AdaptiveAccountRepository::hotKey);
    }

    @Override
    public Account open(Username username, Money initialBalance) {
        return optimistic.open(username, initialBalance);
    }

    @Override
    public Optional<Account> find(AccountId id) {
        return optimistic.find(id);
    }

    @Override
    public Optional<Account> find(Username username) {
        return optimistic.find(username);
    }

    @Override
    public Updated<Account> update(AccountId id, UnaryOperator<Account> change) {
        return path.update(id, change, () -> optimistic.update(id, change),
                combined -> pessimistic.update(id, combined));
    }

    @Override
    public DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount) {
        // Runs alone on the locked path: each request id is looked up and recorded in its own transaction.
        return path.updateAlone(id, () -> optimistic.depositOnce(requestId, id, amount),
                () -> pessimistic.depositOnce(requestId, id, amount));
    }

    /**
     * The row's key in the hot-row memory. By id, or by name when the id is not known before the read; names map
     * to negative keys, distinct from ids (which are positive).
     */
    private static long hotKey(Object row) {
        if (row instanceof AccountId id) {
            return id.value();
        }
        return -1L - (((Username) row).value().hashCode() & 0x7fffffffL);
    }

    @Override
    public Updated<Account> update(Username username, UnaryOperator<Account> change) {
        return path.update(username, change, () -> optimistic.update(username, change),
                combined -> pessimistic.update(username, combined));
    }
}
