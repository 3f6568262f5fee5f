package dev.lockwise.contract;

import dev.lockwise.application.ProcessingOutcome;
import dev.lockwise.domain.Strategy;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.verfact.VerFact;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AdaptiveStrategyIT extends StrategyContract {
    @Override
    protected Strategy strategy() {
        return Strategy.ADAPTIVE;
    }

    @Test
    void asTheLibraryAssemblesItCalmRowsGoThroughTheBatchedStrategysBatches() {
        Account account = openAccounts(1, "0").get(0);
        deposit().depositTo(account.id(), Money.of("2.50"));
        VerFact fact = lockwise.recordVerFact().record();
        assertThat(setAsProcessed().process(fact.id())).isEqualTo(ProcessingOutcome.PROCESSED_BY_THIS_CALL);

        assertThat(events.count("deposit.batched.batches")).as("the calm deposit rode a cross-row batch").isEqualTo(1);
        assertThat(events.count("set-as-processed.batched.batches")).as("so did the calm verfact").isEqualTo(1);
        assertThat(events.count("deposit.adaptive.locked-transactions")).isZero();
    }
}
