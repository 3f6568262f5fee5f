package dev.lockwise.adapter.lock;

import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.lease.FencedVerFactProcessor;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.jdbc.SqlFailures;
import dev.lockwise.jdbc.Transactions;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The batch job behind {@code lockwise demo}'s "exclusive" scenario: marks pending verfacts processed in one
 * statement fenced by the lease, so a holder that was paused past its ttl has its write refused by the database.
 */
public final class FencedJdbcVerFactProcessor implements FencedVerFactProcessor {
    private final DataSource dataSource;
    private final LeaseFence fence;
    private final String processSql;
    private final String heldSql;

    /**
     * With the fence's default lock timeout (5 s).
     *
     * @param dataSource the database
     * @param table      the lease table whose rows fence the write
     */
    public FencedJdbcVerFactProcessor(DataSource dataSource, LeaseTable table) {
        this(dataSource, table, Transactions.DEFAULT_LOCK_TIMEOUT);
    }

    /**
     * @param dataSource  the database
     * @param table       the lease table whose rows fence the write
     * @param lockTimeout how long the fenced write waits for the lease row when another session holds it
     */
    public FencedJdbcVerFactProcessor(DataSource dataSource, LeaseTable table, java.time.Duration lockTimeout) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.fence = new LeaseFence(table, lockTimeout);
        this.processSql = "UPDATE verfact SET state = 'P', processed = TRUE, version = version + 1"
                + " WHERE id IN (SELECT id FROM verfact WHERE NOT processed ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " AND " + fence.condition();
        this.heldSql = "SELECT " + fence.condition();
    }

    @Override
    public int processPending(Lease lease, int limit) {
        Objects.requireNonNull(lease, "lease");
        if (limit < 1 || limit > 100_000) {
            throw new InvalidInputException("batch size must be between 1 and 100000, got " + limit);
        }
        try (Connection connection = dataSource.getConnection()) {
            int processed;
            try (PreparedStatement update = connection.prepareStatement(processSql)) {
                update.setInt(1, limit);
                fence.bind(update, 2, lease);
                processed = update.executeUpdate();
            }
            if (processed == 0 && !stillHeld(connection, lease)) {
                throw new LeaseLostException(lease, "the database refused a fenced write", null);
            }
            return processed;
        } catch (SQLException e) {
            throw SqlFailures.translate("process pending verfacts under lease '"
                    + lease.lockId() + "'", e);
        }
    }

    private boolean stillHeld(Connection connection, Lease lease) throws SQLException {
        try (PreparedStatement check = connection.prepareStatement(heldSql)) {
            fence.bind(check, 1, lease);
            try (var row = check.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }
}
