package dev.lockwise.contract;

import dev.lockwise.domain.Strategy;

class AdaptiveStrategyIT extends StrategyContract {
    @Override
    protected Strategy strategy() {
        return Strategy.ADAPTIVE;
    }
}
