package dev.lockwise.testing;

import dev.lockwise.db.MigrationException;
import dev.lockwise.db.Migrations;
import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.lease.LeaseTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MigrationsIT {
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase(4);

    @Test
    void theClassDatabaseIsMigratedAndRunsOnPostgres17OrWhatWasAskedFor() {
        String version = (String) DB.queryValue("SHOW server_version");
        System.out.println("MigrationsIT runs on PostgreSQL " + version + " (" + DB.server().description() + ")");
        assertThat(DB.queryValue("SELECT count(*) FROM information_schema.tables WHERE table_name IN"
                + " ('account', 'verfact', 'lockwise_lease')")).isEqualTo(3L);
    }

    @Test
    void applyingTwiceIsANoOp() {
        assertThat(Migrations.apply(DB.dataSource())).isZero();
        assertThat(Migrations.apply(DB.dataSource())).isZero();
    }

    @Test
    void constraintsRejectWhatTheDomainNeverWrites() {
        assertThatThrownBy(() -> DB.execute("INSERT INTO account (username, balance) VALUES ('neg', -1)"))
                .hasMessageContaining("account_balance_not_negative");
        assertThatThrownBy(() -> DB.execute("INSERT INTO account (username, version) VALUES ('v', -1)"))
                .hasMessageContaining("account_version_not_negative");
        assertThatThrownBy(() -> DB.execute("INSERT INTO account (username) VALUES ('  ')"))
                .hasMessageContaining("account_username_not_blank");
        assertThatThrownBy(() -> DB.execute("INSERT INTO verfact (state, processed) VALUES ('P', false)"))
                .hasMessageContaining("verfact_state_matches_processed");
        assertThatThrownBy(() -> DB.execute("INSERT INTO account (username, balance) VALUES ('big', 1e20)"))
                .hasMessageContaining("numeric field overflow");
        assertThat(DB.queryValue("SELECT count(*) FROM account")).isEqualTo(0L);
    }

    @Test
    void defaultsMatchTheDomain() {
        DB.execute("INSERT INTO account (username) VALUES ('defaults')");
        Object[] account = DB.query("SELECT balance, version FROM account WHERE username = 'defaults'").get(0);
        assertThat((BigDecimal) account[0]).isEqualByComparingTo("0.00");
        assertThat(account[1]).isEqualTo(0L);
        DB.execute("INSERT INTO verfact DEFAULT VALUES");
        Object[] fact = DB.query("SELECT state, processed, version FROM verfact").get(0);
        assertThat(fact).containsExactly("I", false, 1L);
    }

    @Test
    void leaseTableCanLiveInAnotherSchemaUnderAnotherName() {
        LeaseTable custom = new LeaseTable("jobs", "my_leases");
        assertThat(Migrations.applyLeaseTable(DB.dataSource(), custom)).isEqualTo(1);
        assertThat(Migrations.applyLeaseTable(DB.dataSource(), custom)).isZero();
        assertThat(DB.queryValue("SELECT count(*) FROM jobs.my_leases")).isEqualTo(0L);
    }

    @Test
    void injectionThroughTheLeaseTableNameIsRejectedBeforeAnySql() {
        assertThatThrownBy(() -> new LeaseTable("public", "x\"; drop table account; --"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("SQL identifier");
        assertThatThrownBy(() -> new LeaseTable("pg_catalog; drop table account", "t"))
                .isInstanceOf(InvalidInputException.class);
        assertThat(DB.queryValue("SELECT count(*) FROM information_schema.tables WHERE table_name = 'account'"))
                .isEqualTo(1L);
    }
}
