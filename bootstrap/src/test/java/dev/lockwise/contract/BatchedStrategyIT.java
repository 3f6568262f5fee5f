package dev.lockwise.contract;

import dev.lockwise.domain.Strategy;

class BatchedStrategyIT extends StrategyContract {
    @Override
    protected Strategy strategy() {
        return Strategy.BATCHED;
    }
}
