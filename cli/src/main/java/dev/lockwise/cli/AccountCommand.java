package dev.lockwise.cli;

import dev.lockwise.application.OpenAccount;
import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.AccountNotFoundException;
import dev.lockwise.domain.account.AccountRepository;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;

@Command(name = "account", mixinStandardHelpOptions = true, description = "Manage accounts.",
        subcommands = {AccountCommand.Open.class, AccountCommand.Show.class})
final class AccountCommand {

    /** An account as every command reports it. */
    static Map<String, Object> fields(Account account) {
        return Report.fields("account_id", account.id().value(), "username", account.username().value(),
                "balance", account.balance().toString(), "version", account.version());
    }

    @Command(name = "open", mixinStandardHelpOptions = true, description = "Open an account (version 0).")
    static final class Open extends SessionCommand {
        @Option(names = "--username", required = true, paramLabel = "NAME",
                description = "Unique, 1-64 characters; stored in Unicode NFC, no invisible or direction controls.")
        String username;

        @Option(names = "--balance", paramLabel = "AMOUNT", description = "Opening balance (default 0).")
        String balance = "0";

        private Username name;
        private Money opening;

        @Override
        void validate() {
            name = new Username(username).requireNoLookAlikes();
            opening = Money.parse(balance);
        }

        @Override
        int run(Session session) {
            Account account = session.get(OpenAccount.class).open(name, opening);
            report.result(String.format("opened account %d '%s' with balance %s (version %d)", account.id().value(),
                    account.username(), account.balance(), account.version()), fields(account));
            return ExitCodes.OK;
        }
    }

    /** Which account: by username or by id. */
    static final class Target {
        @Option(names = "--username", paramLabel = "NAME", description = "The account's username.")
        String username;

        @Option(names = "--account-id", paramLabel = "ID", description = "The account's id.")
        String accountId;

        /** The username given (normalised), or null if an id was given instead. */
        Username parsedUsername() {
            return username == null ? null : new Username(username);
        }

        /** The id given, or null if a username was given instead. */
        AccountId parsedAccountId() {
            return accountId == null ? null : AccountId.parse(accountId);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print an account: id, username, balance and version. Exit 1 if there is none.")
    static final class Show extends SessionCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        private Username username;
        private AccountId accountId;

        @Override
        void validate() {
            username = target.parsedUsername();
            accountId = target.parsedAccountId();
        }

        @Override
        int run(Session session) {
            AccountRepository accounts = session.get(AccountRepository.class);
            Account account = username != null
                    ? accounts.find(username).orElseThrow(() -> new AccountNotFoundException(username))
                    : accounts.find(accountId).orElseThrow(() -> new AccountNotFoundException(accountId));
            report.result(String.format("account %d '%s': balance %s (version %d)", account.id().value(),
                    account.username(), account.balance(), account.version()), fields(account));
            return ExitCodes.OK;
        }
    }
}
