package dev.lockwise.contract;

import dev.lockwise.application.Deposit;
import dev.lockwise.application.SetAsProcessed;
import dev.lockwise.application.retry.ConflictRetry;
import dev.lockwise.domain.Strategy;

/**
 * {@link StrategyContract} with the use cases on {@link LastWriteWinsRepositories}: a strategy that loses updates.
 * Not a test of its own (its name matches no test pattern): {@link ContractCatchesBrokenVariantsIT} runs it and expects
 * the invariants under load to fail.
 */
class LostUpdateStrategyRun extends StrategyContract {
    @Override
    protected Strategy strategy() {
        return Strategy.OPTIMISTIC;
    }

    private ConflictRetry retry() {
        return new ConflictRetry(lockwise.options().retryPolicy(), strategy(), events);
    }

    @Override
    protected Deposit deposit() {
        return new Deposit(LastWriteWinsRepositories.accounts(DB.dataSource(), accountStore), retry());
    }

    @Override
    protected SetAsProcessed setAsProcessed() {
        return new SetAsProcessed(LastWriteWinsRepositories.verFacts(DB.dataSource(), verFactStore), retry());
    }
}
