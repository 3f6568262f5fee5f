package dev.lockwise.contract;

import dev.lockwise.application.Strategy;

class OptimisticStrategyIT extends StrategyContract {
    @Override
    protected Strategy strategy() {
        return Strategy.OPTIMISTIC;
    }
}
