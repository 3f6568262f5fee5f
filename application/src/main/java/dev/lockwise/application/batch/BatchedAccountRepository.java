package dev.lockwise.application.batch;

import dev.lockwise.application.events.LockwiseEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.domain.RowOutcome;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Accounts with the batched strategy: concurrent optimistic attempts by account id share one read and one write (see
 * {@link RowBatches}). What is not batched, and why:
 * <ul>
 *   <li>Exactly-once deposits ({@link #depositOnce}) run as the optimistic adapter runs them, one per transaction:
 *       each records its request id in the same transaction as the balance, and a request id that another attempt
 *       recorded first can only be found by the insert, after the batch's rows are written — it would force the whole
 *       batch to roll back (or a savepoint per member, a round trip each, which is what batching saves).</li>
 *   <li>Changes by username: the id is not known before the read, so they cannot be grouped by row; they run alone.</li>
 * </ul>
 */
public final class BatchedAccountRepository implements AccountRepository {
    private final AccountRepository optimistic;
    private final RowBatches<AccountId, Account> batches;

    /**
     * @param optimistic      the optimistic adapter, whose {@link AccountRepository#updateEach} carries each batch
     * @param events          told of every batch
     * @param queueTimeout    how long a caller waits in this process for a place in a batch (the lock timeout)
     * @param batchesInFlight how many batches may run at once (each holds one pooled connection)
     */
    public BatchedAccountRepository(AccountRepository optimistic, LockwiseEvents events, Duration queueTimeout,
                                    int batchesInFlight) {
        this.optimistic = Objects.requireNonNull(optimistic, "optimistic");
        Objects.requireNonNull(events, "events");
        this.batches = new RowBatches<>("account writes", queueTimeout, batchesInFlight,
                (rows, attempts) -> events.rowBatch(Operation.DEPOSIT, rows, attempts));
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
        return batches.update(id, change, optimistic::updateEach);
    }

    @Override
    public Updated<Account> update(Username username, UnaryOperator<Account> change) {
        return optimistic.update(username, change);
    }

    @Override
    public Map<AccountId, RowOutcome<Account>> updateEach(Map<AccountId, UnaryOperator<Account>> changes) {
        return optimistic.updateEach(changes);
    }

    @Override
    public DepositReceipt depositOnce(RequestId requestId, AccountId id, Money amount) {
        return optimistic.depositOnce(requestId, id, amount);
    }
}
