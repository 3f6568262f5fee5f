package dev.lockwise.cli.examples;

import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.db.Migrations;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;

import java.time.Duration;
import javax.sql.DataSource;

/**
 * Example 1: a short task that must not run twice at the same time anywhere. Run it with
 * {@code java -cp cli/target/lockwise.jar dev.lockwise.cli.examples.SimpleTask [JDBC_URL]}
 * (no URL: an embedded PostgreSQL).
 */
public final class SimpleTask {
    private SimpleTask() {
    }

    public static String run(DataSource dataSource) throws Exception {
        Migrations.apply(dataSource); // creates account, verfact and the lease table if missing
        try (Lockwise lockwise = Lockwise.builder(dataSource).build()) {
            return lockwise.runExclusive().run(new LockId("simple-task"), LeaseTerms.tryOnce(Duration.ofSeconds(10)),
                    lease -> "simple task ran under generation " + lease.generation());
        }
    }

    public static void main(String[] args) throws Exception {
        try (ExampleDatabase database = ExampleDatabase.open(args)) {
            System.out.println(run(database.dataSource()));
        }
    }
}
