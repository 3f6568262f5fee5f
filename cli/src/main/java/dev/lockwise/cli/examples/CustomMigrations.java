package dev.lockwise.cli.examples;

import dev.lockwise.adapter.lock.LeaseTableCheck;
import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Example 3: your own migration tool owns the schema. Lockwise applies nothing; it checks that the lease table
 * exists with the expected columns ({@link LeaseTableCheck#expectedDdl} prints the DDL to add to your migrations).
 */
public final class CustomMigrations {
    private CustomMigrations() {
    }

    public static String run(DataSource dataSource) throws Exception {
        LeaseTable table = new LeaseTable("jobs", "leases");
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            // Stand-in for your migration tool:
            statement.execute("CREATE SCHEMA IF NOT EXISTS jobs");
            statement.execute(LeaseTableCheck.expectedDdl(table).replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"));
        }
        LeaseTableCheck.verify(dataSource, table); // fails with the expected DDL if the table is wrong
        try (Lockwise lockwise = Lockwise.builder(dataSource).leaseTable(table).build()) {
            return lockwise.runExclusive().run(new LockId("custom-migrations"),
                    LeaseTerms.tryOnce(Duration.ofSeconds(10)),
                    lease -> "ran with lease table " + table + ", generation " + lease.generation());
        }
    }

    public static void main(String[] args) throws Exception {
        try (ExampleDatabase database = ExampleDatabase.open(args)) {
            System.out.println(run(database.dataSource()));
        }
    }
}
