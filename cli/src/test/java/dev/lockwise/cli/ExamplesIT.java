package dev.lockwise.cli;

import dev.lockwise.cli.examples.CustomMigrations;
import dev.lockwise.cli.examples.LongTask;
import dev.lockwise.cli.examples.SimpleTask;
import dev.lockwise.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's three runnable examples (those of Go's pglocker) work as shown. */
class ExamplesIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(4);

    @Test
    void simpleTask() throws Exception {
        assertThat(SimpleTask.run(DB.dataSource())).startsWith("simple task ran under generation ");
    }

    @Test
    void longTaskOutlivesItsTtlThroughRenewals() throws Exception {
        long generation = LongTask.run(DB.dataSource(), Duration.ofMillis(1_800));
        assertThat(generation).isPositive();
        assertThat(DB.queryValue("SELECT generation FROM lockwise_lease WHERE lock_id = 'long-task'"))
                .isEqualTo(generation);
    }

    @Test
    void customMigrations() throws Exception {
        assertThat(CustomMigrations.run(DB.dataSource())).contains("lease table jobs.leases,");
        assertThat(DB.queryValue("SELECT count(*) FROM jobs.leases")).isEqualTo(1L);
    }
}
