package dev.lockwise.contract;

import dev.lockwise.domain.Strategy;

class OptimisticStrategyIT extends StrategyContract {
    @Override
    protected Strategy strategy() {
        return Strategy.OPTIMISTIC;
    }
}
