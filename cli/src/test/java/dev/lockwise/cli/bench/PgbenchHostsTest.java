package dev.lockwise.cli.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** pgbench reaches the same servers as the JDBC URL, multi-host URLs included (libpq's comma lists). */
class PgbenchHostsTest {
    @Test
    void oneHost() {
        assertThat(Pgbench.Hosts.of("jdbc:postgresql://db.example:6543/app?sslmode=require"))
                .isEqualTo(new Pgbench.Hosts("db.example", "6543", "app", false));
        assertThat(Pgbench.Hosts.of("jdbc:postgresql://localhost/app"))
                .isEqualTo(new Pgbench.Hosts("localhost", "5432", "app", false));
    }

    @Test
    void severalHostsWithThePrimaryAskedForBecomeLibpqListsAndReadWriteSessions() {
        assertThat(Pgbench.Hosts.of("jdbc:postgresql://10.0.0.1:5432,10.0.0.2:5433/app?targetServerType=primary"))
                .isEqualTo(new Pgbench.Hosts("10.0.0.1,10.0.0.2", "5432,5433", "app", true));
        assertThat(Pgbench.Hosts.of("jdbc:postgresql://[::1]:5432,h2/app"))
                .isEqualTo(new Pgbench.Hosts("::1,h2", "5432,5432", "app", false));
    }
}
