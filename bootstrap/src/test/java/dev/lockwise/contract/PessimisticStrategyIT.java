package dev.lockwise.contract;

import dev.lockwise.domain.Strategy;

class PessimisticStrategyIT extends StrategyContract {
    @Override
    protected Strategy strategy() {
        return Strategy.PESSIMISTIC;
    }
}
