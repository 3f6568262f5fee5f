package dev.lockwise.adapter.lock;

import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.jdbc.SqlFailures;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Records work done under a lease in {@code exclusive_run}, every write fenced by the lease: start, heartbeats and
 * end are database timestamps written only while the lease is held. If the database refuses a write, the lease is
 * gone and {@link LeaseLostException} is thrown.
 */
public final class ExclusiveRunLog {
    private final DataSource dataSource;
    private final LeaseFence fence;
    private final String startSql;
    private final String beatSql;
    private final String endSql;

    /**
     * @param dataSource the database holding {@code exclusive_run}
     * @param table      the lease table whose rows fence the writes
     */
    public ExclusiveRunLog(DataSource dataSource, LeaseTable table) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.fence = new LeaseFence(table);
        this.startSql = "INSERT INTO exclusive_run (lock_id, generation, holder, started_at)"
                + " SELECT ?, ?, ?, clock_timestamp() WHERE " + fence.condition();
        this.beatSql = "UPDATE exclusive_run SET beats = beats + 1, last_beat_at = clock_timestamp() WHERE lock_id = ? AND generation = ? AND "
                + fence.condition();
        this.endSql = "UPDATE exclusive_run SET ended_at = clock_timestamp() WHERE lock_id = ? AND generation = ? AND "
                + fence.condition();
    }

    /**
     * Records the start of a run, at the database's time.
     *
     * @param lease  the lease held
     * @param holder who runs it, for the record
     * @throws LeaseLostException if the lease is no longer held
     */
    public void start(Lease lease, String holder) {
        write(lease, "start", startSql, statement -> {
            statement.setString(1, lease.lockId().value());
            statement.setLong(2, lease.generation());
            statement.setString(3, holder);
            fence.bind(statement, 4, lease);
        });
    }

    /**
     * Records a heartbeat of the run, at the database's time.
     *
     * @param lease the lease held
     * @throws LeaseLostException if the lease is no longer held
     */
    public void beat(Lease lease) {
        write(lease, "heartbeat", beatSql, statement -> bindKeyAndFence(statement, lease));
    }

    /**
     * Records the end of the run, at the database's time.
     *
     * @param lease the lease held
     * @throws LeaseLostException if the lease is no longer held
     */
    public void end(Lease lease) {
        write(lease, "end", endSql, statement -> bindKeyAndFence(statement, lease));
    }

    private void bindKeyAndFence(PreparedStatement statement, Lease lease) throws SQLException {
        statement.setString(1, lease.lockId().value());
        statement.setLong(2, lease.generation());
        fence.bind(statement, 3, lease);
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private void write(Lease lease, String what, String sql, Binder binder) {
        int rows;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            rows = statement.executeUpdate();
        } catch (SQLException e) {
            throw SqlFailures.translate("record " + what + " of run under lease '"
                    + lease.lockId() + "'", e);
        }
        if (rows == 0) {
            throw new LeaseLostException(lease, "the database refused the fenced " + what + " record", null);
        }
    }
}
