package dev.lockwise.db;

import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.jdbc.SqlIdentifiers;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Applies Lockwise's schema to any PostgreSQL {@link DataSource} with Flyway. Idempotent: a second call finds
 * everything applied and changes nothing.
 *
 * <p>Two histories: {@code db/migration} (account, verfact) in the data source's default schema, recorded in
 * {@code lockwise_schema_history}; and {@code db/lease} (the lease table), whose schema and table name are
 * configurable, recorded in {@code <lease table>_history} beside it, so several lease tables can coexist.
 */
public final class Migrations {
    /** Where the account and verfact migrations are on the class path. */
    public static final String CORE_LOCATION = "classpath:db/migration";
    /** Where the lease table's migration is on the class path. */
    public static final String LEASE_LOCATION = "classpath:db/lease";
    /** The table recording which core migrations ran. */
    public static final String CORE_HISTORY_TABLE = "lockwise_schema_history";

    private Migrations() {
    }

    /**
     * Applies the account and verfact migrations and the default lease table.
     *
     * @param dataSource the database
     * @return how many scripts ran (0 when the schema was up to date)
     * @throws MigrationException if the database is unreachable, the privileges lacking or the schema at odds
     */
    public static int apply(DataSource dataSource) {
        return apply(dataSource, LeaseTable.DEFAULT);
    }

    /**
     * Applies the account and verfact migrations and the lease table at {@code leaseTable}.
     *
     * @param dataSource the database
     * @param leaseTable where the lease table goes
     * @return how many scripts ran
     * @throws MigrationException if the database is unreachable, the privileges lacking or the schema at odds
     */
    public static int apply(DataSource dataSource, LeaseTable leaseTable) {
        return applyCore(dataSource) + applyLeaseTable(dataSource, leaseTable);
    }

    /**
     * Applies only the account and verfact migrations.
     *
     * @param dataSource the database
     * @return how many scripts ran
     * @throws MigrationException if the database is unreachable, the privileges lacking or the schema at odds
     */
    public static int applyCore(DataSource dataSource) {
        return run(core(dataSource));
    }

    /**
     * Applies only the lease table migration, at {@code leaseTable}.
     *
     * @param dataSource the database
     * @param leaseTable where the lease table goes
     * @return how many scripts ran
     * @throws MigrationException if the database is unreachable, the privileges lacking or the schema at odds
     */
    public static int applyLeaseTable(DataSource dataSource, LeaseTable leaseTable) {
        return run(lease(dataSource, leaseTable));
    }

    /**
     * The migrations not yet applied to this database (core, and the lease table at {@code leaseTable}), as
     * "V3 deposit request" descriptions; empty when the schema is up to date. Reads the histories only: no DDL.
     *
     * @param dataSource the database
     * @param leaseTable where the lease table should be
     * @return the pending migrations' descriptions, in the order they would run
     * @throws MigrationException if the histories cannot be read
     */
    public static List<String> pending(DataSource dataSource, LeaseTable leaseTable) {
        List<String> pending = new ArrayList<>();
        try {
            for (FluentConfiguration configuration : List.of(core(dataSource), lease(dataSource, leaseTable))) {
                for (MigrationInfo migration : configuration.load().info().pending()) {
                    pending.add("V" + migration.getVersion() + " " + migration.getDescription());
                }
            }
        } catch (FlywayException e) {
            throw new MigrationException("reading Lockwise's schema history failed: " + e.getMessage(), e);
        }
        return pending;
    }

    private static FluentConfiguration core(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return Flyway.configure()
                .dataSource(dataSource)
                .locations(CORE_LOCATION)
                .table(CORE_HISTORY_TABLE)
                .baselineOnMigrate(true)
                .baselineVersion("0");
    }

    private static FluentConfiguration lease(DataSource dataSource, LeaseTable leaseTable) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(leaseTable, "leaseTable");
        return Flyway.configure()
                .dataSource(dataSource)
                .locations(LEASE_LOCATION)
                .schemas(leaseTable.schema())
                .createSchemas(true)
                .table(leaseTable.table() + "_history")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .placeholders(Map.of(
                        "lease_schema", SqlIdentifiers.quote(leaseTable.schema()),
                        "lease_table", SqlIdentifiers.quote(leaseTable.table())));
    }

    private static int run(FluentConfiguration configuration) {
        try {
            MigrateResult result = configuration.load().migrate();
            return result.migrationsExecuted;
        } catch (FlywayException e) {
            throw new MigrationException("applying Lockwise's migrations failed: " + e.getMessage(), e);
        }
    }
}
