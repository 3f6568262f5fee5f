package dev.lockwise.application.adaptive;

import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.application.retry.Attempt;
import dev.lockwise.application.retry.RetryAwareAccountRepository;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Accounts with the adaptive strategy: optimistic while a row is calm, the row lock once it is hot
 * (see {@link AdaptivePath}). Reads and inserts go to the optimistic repository; they take no lock either way.
 */
public final class AdaptiveAccountRepository implements RetryAwareAccountRepository {
    private final AccountRepository optimistic;
    private final AccountRepository pessimistic;
    private final AdaptivePath<AccountKey, Account> path;

    /**
     * @param optimistic  optimistic attempts without a lock: reads, inserts and the first attempt on a calm row (the
     *                    library passes the batched strategy's repository, so calm rows share cross-row batches)
     * @param pessimistic the row-locking adapter: attempts on hot rows and after a conflict
     * @param hotRows     the memory of hot rows, shared by nobody else
     * @param events      told of lock fallbacks and locked batches
     * @param lockTimeout how long a locked attempt waits in this process for its turn at the row (positive)
     */
    public AdaptiveAccountRepository(AccountRepository optimistic, AccountRepository pessimistic, HotRows hotRows,
                                     LockwiseEvents events, Duration lockTimeout) {
        this.optimistic = Objects.requireNonNull(optimistic, "optimistic");
        this.pessimistic = Objects.requireNonNull(pessimistic, "pessimistic");
        this.path = new AdaptivePath<>(hotRows, events, Operation.DEPOSIT, AccountKey::hotKey,
                lockTimeout);
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
    public Updated<Account> update(AccountId id, UnaryOperator<Account> change, Attempt attempt) {
        return path.update(new AccountKey(id, null), attempt, change, () -> optimistic.update(id, change),
                combined -> pessimistic.update(id, combined));
    }

    @Override
    public DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount, Attempt attempt) {
        // Runs alone on the locked path: each request id is looked up and recorded in its own transaction.
        return path.updateAlone(new AccountKey(id, null), attempt, () -> optimistic.depositOnce(requestId, id, amount),
                () -> pessimistic.depositOnce(requestId, id, amount));
    }

    @Override
    public Updated<Account> update(Username username, UnaryOperator<Account> change, Attempt attempt) {
        return path.update(new AccountKey(null, username), attempt, change,
                () -> optimistic.update(username, change),
                combined -> pessimistic.update(username, combined));
    }

    /**
     * Which account a change is for: by id, or by name when the id is not known before the read (exactly one of
     * the two is set). Changes are combined on the locked path only when their keys are equal.
     */
    private record AccountKey(AccountId id, Username username) {
        /** The key in the hot-row memory: ids are positive; names map to negative keys, distinct from ids. */
        long hotKey() {
            return id != null ? id.value() : -1L - (username.value().hashCode() & 0x7fffffffL);
        }
    }
}
