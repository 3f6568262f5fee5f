package dev.lockwise.bootstrap.cli;

import picocli.CommandLine.Command;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Apply Lockwise's migrations (account, verfact, and the lease table at --lease-schema/"
                + "--lease-table). Idempotent: a second run changes nothing.")
final class MigrateCommand extends SessionCommand {
    @Override
    int run(Session session) {
        // The session applied them on start (migrate=true is the default; with --migrate false it only checked).
        out.printf("Migrations %s on %s; lease table %s.%n",
                session.settings.migrate() ? "applied" : "checked (custom migrations)",
                session.database.displayUrl(), session.settings.leaseTable().qualifiedName());
        return ExitCodes.OK;
    }
}
