package dev.lockwise.cli;

import dev.lockwise.cli.db.DatabaseRuntime;
import picocli.CommandLine.Command;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Apply Lockwise's migrations (account, verfact, and the lease table at --lease-schema/"
                + "--lease-table). Idempotent: a second run changes nothing. The only command that changes the"
                + " schema of a database you named.")
final class MigrateCommand extends SessionCommand {
    @Override
    DatabaseRuntime.Use use() {
        return DatabaseRuntime.Use.MIGRATE;
    }

    @Override
    int run(Session session) {
        // The session applied them as it opened the database (Use.MIGRATE).
        report.result(String.format("Migrations applied on %s; lease table %s.", session.database.displayUrl(),
                session.settings.leaseTable()), Report.fields("migrated", true,
                "database", session.database.displayUrl(), "lease_table", session.settings.leaseTable().toString()));
        return ExitCodes.OK;
    }
}
