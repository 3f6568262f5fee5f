package dev.lockwise.bootstrap.cli;

import dev.lockwise.application.OpenAccount;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "account", mixinStandardHelpOptions = true, description = "Manage accounts.",
        subcommands = AccountCommand.Open.class)
final class AccountCommand {

    @Command(name = "open", mixinStandardHelpOptions = true, description = "Open an account (version 0).")
    static final class Open extends SessionCommand {
        @Option(names = "--username", required = true, paramLabel = "NAME", description = "Unique, 1-64 characters.")
        String username;

        @Option(names = "--balance", paramLabel = "AMOUNT", description = "Opening balance (default 0).")
        String balance = "0";

        private Username name;
        private Money opening;

        @Override
        void validate() {
            name = new Username(username);
            opening = Money.parse(balance);
        }

        @Override
        int run(Session session) {
            Account account = session.get(OpenAccount.class).open(name, opening);
            out.printf("opened account %d '%s' with balance %s (version %d)%n", account.id().value(),
                    account.username(), account.balance(), account.version());
            return ExitCodes.OK;
        }
    }
}
