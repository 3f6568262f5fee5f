package dev.lockwise.cli;

import dev.lockwise.application.Deposit;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.Username;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;

@Command(name = "deposit", mixinStandardHelpOptions = true,
        description = "Deposit a positive amount into an account, with the configured strategy.")
final class DepositCommand extends SessionCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    AccountCommand.Target target;

    @Option(names = "--amount", required = true, paramLabel = "AMOUNT",
            description = "Positive, ASCII digits, at most two decimals, e.g. 10.50.")
    String amount;

    @Option(names = "--request-id", paramLabel = "KEY",
            description = "Idempotency key: a repeated key applies nothing again and reports the first outcome"
                    + " (replayed=true) with the account's current balance; exit 0 either way.")
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
        username = target.parsedUsername();
        accountId = target.parsedAccountId();
    }

    @Override
    int run(Session session) {
        Deposit deposit = session.get(Deposit.class);
        String strategy = session.settings.strategy().label();
        if (request != null) {
            DepositReceipt receipt = username != null ? deposit.depositOnce(request, username, money)
                    : deposit.depositOnce(request, accountId, money);
            Map<String, Object> fields = Report.fields("request_id", receipt.requestId().value(),
                    "replayed", receipt.replayed(), "account_id", receipt.accountId().value(),
                    "amount", receipt.amount().toString(), "balance_after", receipt.balanceAfter().toString(),
                    "version_after", receipt.versionAfter(), "strategy", strategy);
            if (!receipt.replayed()) {
                report.result(String.format("deposited %s into account %d: balance %s (version %d, request '%s')",
                        receipt.amount(), receipt.accountId().value(), receipt.balanceAfter(), receipt.versionAfter(),
                        receipt.requestId()), fields);
                return ExitCodes.OK;
            }
            Account now = session.get(AccountRepository.class).find(receipt.accountId())
                    .orElseThrow(() -> new AccountNotFoundException(receipt.accountId()));
            fields.put("balance_now", now.balance().toString());
            fields.put("version_now", now.version());
            report.result(String.format("already deposited %s into account %d by request '%s', nothing applied"
                            + " again: balance then %s (version %d), now %s (version %d)", receipt.amount(),
                    receipt.accountId().value(), receipt.requestId(), receipt.balanceAfter(), receipt.versionAfter(),
                    now.balance(), now.version()), fields);
            return ExitCodes.OK;
        }
        Account after = username != null ? deposit.depositTo(username, money) : deposit.depositTo(accountId, money);
        Map<String, Object> fields = AccountCommand.fields(after);
        fields.put("amount", money.toString());
        fields.put("strategy", strategy);
        report.result(String.format("deposited %s into account %d '%s': balance %s (version %d, %s)", money,
                after.id().value(), after.username(), after.balance(), after.version(), strategy), fields);
        return ExitCodes.OK;
    }
}
