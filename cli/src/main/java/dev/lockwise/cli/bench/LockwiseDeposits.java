package dev.lockwise.cli.bench;

import dev.lockwise.application.events.CountingEvents;
import dev.lockwise.application.events.Operation;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.Money;

/** A Lockwise strategy, driven through the Deposit use case exactly as a host would call it. */
public final class LockwiseDeposits implements BenchDeposits {
    private final Lockwise lockwise;
    private final CountingEvents counts;

    public LockwiseDeposits(Lockwise lockwise, CountingEvents counts) {
        this.lockwise = lockwise;
        this.counts = counts;
    }

    @Override
    public String name() {
        return lockwise.strategy().label();
    }

    @Override
    public void deposit(long accountId, long cents) {
        lockwise.deposit().depositTo(new AccountId(accountId), Money.ofCents(cents));
    }

    @Override
    public long conflicts() {
        return counts.count(Operation.DEPOSIT, lockwise.strategy(), "conflict");
    }

    @Override
    public long retries() {
        return counts.count(Operation.DEPOSIT, lockwise.strategy(), "retry");
    }

    @Override
    public long exhausted() {
        return counts.count(Operation.DEPOSIT, lockwise.strategy(), "exhausted");
    }
}
