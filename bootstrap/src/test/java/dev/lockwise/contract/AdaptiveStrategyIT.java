package dev.lockwise.contract;

import dev.lockwise.application.Strategy;

class AdaptiveStrategyIT extends StrategyContract {
    @Override
    protected Strategy strategy() {
        return Strategy.ADAPTIVE;
    }
}
