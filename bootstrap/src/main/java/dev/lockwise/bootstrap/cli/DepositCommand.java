package dev.lockwise.bootstrap.cli;

import dev.lockwise.application.Deposit;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "deposit", mixinStandardHelpOptions = true,
        description = "Deposit a positive amount into an account, with the configured strategy.")
final class DepositCommand extends SessionCommand {
    static final class Target {
        @Option(names = "--username", paramLabel = "NAME", description = "The account's username.")
        String username;

        @Option(names = "--account-id", paramLabel = "ID", description = "The account's id.")
        String accountId;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--amount", required = true, paramLabel = "AMOUNT",
            description = "Positive, at most two decimals, e.g. 10.50.")
    String amount;

    @Option(names = "--request-id", paramLabel = "KEY",
            description = "Idempotency key: a repeated key returns the first outcome and applies nothing again.")
    String requestId;

    private RequestId request;
    private Money money;
    private Username username;
    private AccountId accountId;

    @Override
    void validate() {
        money = Money.parse(amount);
        Account.requirePositive(money);
        if (requestId != null) {
            request = new RequestId(requestId);
        }
        if (target.username != null) {
            username = new Username(target.username);
        } else {
            accountId = AccountId.parse(target.accountId);
        }
    }

    @Override
    int run(Session session) {
        Deposit deposit = session.get(Deposit.class);
        if (request != null) {
            DepositReceipt receipt = username != null ? deposit.depositOnce(request, username, money)
                    : deposit.depositOnce(request, accountId, money);
            out.printf("%s %s into account %d: balance %s (version %d, request '%s'%s)%n",
                    receipt.replayed() ? "already deposited" : "deposited", receipt.amount(),
                    receipt.accountId().value(), receipt.balanceAfter(), receipt.versionAfter(), receipt.requestId(),
                    receipt.replayed() ? ", nothing applied again" : "");
            return ExitCodes.OK;
        }
        Account after = username != null ? deposit.depositTo(username, money) : deposit.depositTo(accountId, money);
        out.printf("deposited %s into account %d '%s': balance %s (version %d, %s)%n", money, after.id().value(),
                after.username(), after.balance(), after.version(), session.settings.strategy().label());
        return ExitCodes.OK;
    }
}
