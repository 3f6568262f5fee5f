package dev.lockwise.cli.examples;

import dev.lockwise.bootstrap.Lockwise;
import dev.lockwise.db.Migrations;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;

import java.time.Duration;
import javax.sql.DataSource;

/**
 * Example 2: a task longer than the lease's ttl. The lease is renewed in the background every {@code renewEvery};
 * if it is ever lost the task's thread is interrupted and {@code run} throws LeaseLostException.
 */
public final class LongTask {
    private LongTask() {
    }

    public static long run(DataSource dataSource, Duration work) throws Exception {
        Migrations.apply(dataSource);
        LeaseTerms terms = new LeaseTerms(Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofSeconds(30));
        try (Lockwise lockwise = Lockwise.builder(dataSource).build()) {
            return lockwise.runExclusive().run(new LockId("long-task"), terms, lease -> {
                Thread.sleep(work.toMillis()); // longer than the ttl: renewals keep the lease
                return lease.generation();
            });
        }
    }

    public static void main(String[] args) throws Exception {
        try (ExampleDatabase database = ExampleDatabase.open(args)) {
            System.out.println("long task finished under generation " + run(database.dataSource(),
                    Duration.ofSeconds(3)));
        }
    }
}
