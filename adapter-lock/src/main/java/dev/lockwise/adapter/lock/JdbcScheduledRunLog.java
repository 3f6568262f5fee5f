package dev.lockwise.adapter.lock;

import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.schedule.RunOutcome;
import dev.lockwise.domain.schedule.ScheduledRun;
import dev.lockwise.domain.schedule.ScheduledRunLog;
import dev.lockwise.domain.schedule.SlotClaim;
import dev.lockwise.domain.schedule.SlotSchedule;
import dev.lockwise.jdbc.SqlIdentifiers;
import dev.lockwise.jdbc.Transactions;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link ScheduledRunLog} on plain JDBC, in the table {@code scheduled_run}. Starting a run is one short transaction:
 * the lease is checked and its row share-locked until the commit ({@link LeaseFence}), so no new holder can start a
 * run in between; runs of the lock still marked running under another generation are marked abandoned; the slot is
 * computed from {@code clock_timestamp()}; the slot's runs are read; and the new run is inserted (fenced too).
 * Every row-lock wait is bounded by the lock timeout.
 */
public final class JdbcScheduledRunLog implements ScheduledRunLog {
    private static final String COLUMNS = "lock_id, slot_start, slot_end, generation, holder, started_at, ended_at,"
            + " outcome, exit_code";
    private static final int MAX_HOLDER = 200;
    private static final String BOUND = "SELECT set_config('lock_timeout', ?, true)";
    private static final String SLOT = "SELECT start, start + ? * interval '1 millisecond' FROM (SELECT"
            + " timestamptz 'epoch' + (floor((extract(epoch FROM clock_timestamp()) * 1000 - ?) / ?)::bigint * ? + ?)"
            + " * interval '1 millisecond' AS start) slot";
    private static final String SETTLING = "SELECT " + COLUMNS + " FROM scheduled_run WHERE lock_id = ? AND slot_start = ?"
            + " AND (outcome IN ('succeeded', 'running') OR NOT ?) ORDER BY started_at DESC LIMIT 1";

    private final Transactions transactions;
    private final LeaseFence fence;
    private final String heldSql;
    private final String abandonSql;
    private final String startSql;
    private final String endSql;
    private final String recentSql;

    /**
     * @param dataSource  where connections come from
     * @param table       the lease table whose leases fence the writes
     * @param lockTimeout the bound on every row-lock wait, 1 ms to 10 minutes
     * @throws InvalidInputException if an argument is missing or the timeout out of range
     */
    public JdbcScheduledRunLog(DataSource dataSource, LeaseTable table, Duration lockTimeout) {
        this.transactions = new Transactions(dataSource, lockTimeout);
        this.fence = new LeaseFence(Objects.requireNonNull(table, "table"), lockTimeout);
        this.heldSql = "SELECT " + fence.condition();
        this.abandonSql = "UPDATE scheduled_run SET outcome = 'abandoned', ended_at = clock_timestamp()"
                + " WHERE lock_id = ? AND outcome = 'running' AND generation <> ? AND " + fence.condition();
        this.startSql = "INSERT INTO scheduled_run (lock_id, slot_start, slot_end, generation, holder, started_at,"
                + " outcome) SELECT ?, ?, ?, ?, ?, clock_timestamp(), 'running' WHERE " + fence.condition()
                + " RETURNING " + COLUMNS;
        this.endSql = "UPDATE scheduled_run SET outcome = ?, exit_code = ?, ended_at = clock_timestamp()"
                + " WHERE lock_id = ? AND slot_start = ? AND generation = ? AND outcome = 'running' AND "
                + fence.condition() + " RETURNING " + COLUMNS;
        this.recentSql = "SELECT run.lock_id, run.slot_start, run.slot_end, run.generation, run.holder,"
                + " run.started_at, run.ended_at, CASE WHEN run.outcome = 'running' AND NOT EXISTS (SELECT 1 FROM "
                + SqlIdentifiers.qualified(table) + " lease WHERE lease.lock_id = run.lock_id AND lease.generation"
                + " = run.generation AND lease.expires_at > clock_timestamp()) THEN 'abandoned' ELSE run.outcome"
                + " END, run.exit_code FROM scheduled_run run WHERE run.lock_id = ? ORDER BY run.started_at DESC"
                + " LIMIT ?";
    }

    @Override
    public SlotClaim begin(Lease lease, SlotSchedule schedule, String holder) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(schedule, "schedule");
        if (holder == null || holder.isBlank() || holder.length() > MAX_HOLDER) {
            throw new InvalidInputException("a run's holder must be 1 to " + MAX_HOLDER + " characters, got "
                    + (holder == null ? "none" : holder.length() + " characters"));
        }
        long period = schedule.period().toMillis();
        long offset = schedule.offset().toMillis();
        return transactions.inTransaction("start a run of '" + lease.lockId() + "'", connection -> {
            bound(connection);
            // The lease row is share-locked from here to the commit: no new holder can start a run in between.
            boolean held = Transactions.query(connection, heldSql, statement -> fence.bind(statement, 1, lease),
                    rows -> rows.next() && rows.getBoolean(1));
            if (!held) {
                throw new LeaseLostException(lease, "the lease was no longer held when the run was to start", null);
            }
            try (PreparedStatement abandon = connection.prepareStatement(abandonSql)) {
                abandon.setString(1, lease.lockId().value());
                abandon.setLong(2, lease.generation());
                fence.bind(abandon, 3, lease);
                abandon.executeUpdate();
            }
            OffsetDateTime[] slot = Transactions.query(connection, SLOT, statement -> {
                statement.setLong(1, period);
                statement.setLong(2, offset);
                statement.setLong(3, period);
                statement.setLong(4, period);
                statement.setLong(5, offset);
            }, rows -> {
                rows.next();
                return new OffsetDateTime[] {rows.getObject(1, OffsetDateTime.class),
                        rows.getObject(2, OffsetDateTime.class)};
            });
            Optional<ScheduledRun> settling = Transactions.query(connection, SETTLING, statement -> {
                statement.setString(1, lease.lockId().value());
                statement.setObject(2, slot[0]);
                statement.setBoolean(3, schedule.retryFailed());
            }, JdbcScheduledRunLog::first);
            if (settling.isPresent()) {
                return new SlotClaim.Done(settling.get());
            }
            Optional<ScheduledRun> started = Transactions.query(connection, startSql, statement -> {
                statement.setString(1, lease.lockId().value());
                statement.setObject(2, slot[0]);
                statement.setObject(3, slot[1]);
                statement.setLong(4, lease.generation());
                statement.setString(5, holder);
                fence.bind(statement, 6, lease);
            }, JdbcScheduledRunLog::first);
            return new SlotClaim.Started(started.orElseThrow(() -> new LeaseLostException(lease,
                    "the database refused the fenced start of the run", null)));
        });
    }

    @Override
    public ScheduledRun end(Lease lease, ScheduledRun run, RunOutcome outcome, Integer exitCode) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(run, "run");
        if (outcome != RunOutcome.SUCCEEDED && outcome != RunOutcome.FAILED) {
            throw new InvalidInputException("a run ends as succeeded or failed, not " + outcome.label());
        }
        return transactions.inTransaction("end the run of '" + lease.lockId() + "'", connection -> {
            bound(connection);
            return Transactions.query(connection, endSql, statement -> {
                statement.setString(1, outcome.label());
                if (exitCode == null) {
                    statement.setNull(2, Types.INTEGER);
                } else {
                    statement.setInt(2, exitCode);
                }
                statement.setString(3, run.lockId().value());
                statement.setObject(4, run.slotStart().atOffset(ZoneOffset.UTC));
                statement.setLong(5, run.generation());
                fence.bind(statement, 6, lease);
            }, JdbcScheduledRunLog::first);
        }).orElseThrow(() -> new LeaseLostException(lease, "the database refused the fenced end of the run", null));
    }

    @Override
    public List<ScheduledRun> recent(LockId lockId, int limit) {
        Objects.requireNonNull(lockId, "lockId");
        if (limit < 1) {
            throw new InvalidInputException("the number of runs to list must be at least 1, got " + limit);
        }
        return transactions.query("list the runs of '" + lockId + "'", recentSql, statement -> {
            statement.setString(1, lockId.value());
            statement.setInt(2, limit);
        }, rows -> {
            List<ScheduledRun> runs = new ArrayList<>();
            while (rows.next()) {
                runs.add(run(rows));
            }
            return runs;
        });
    }

    private void bound(Connection connection) throws SQLException {
        Transactions.query(connection, BOUND, statement -> statement.setString(1, transactions.lockTimeoutSetting()),
                rows -> null);
    }

    private static Optional<ScheduledRun> first(ResultSet rows) throws SQLException {
        return rows.next() ? Optional.of(run(rows)) : Optional.empty();
    }

    private static ScheduledRun run(ResultSet row) throws SQLException {
        int code = row.getInt(9);
        Integer exitCode = row.wasNull() ? null : code;
        return new ScheduledRun(new LockId(row.getString(1)), instant(row, 2), instant(row, 3), row.getLong(4),
                row.getString(5), instant(row, 6), instant(row, 7), RunOutcome.fromLabel(row.getString(8)),
                exitCode);
    }

    private static Instant instant(ResultSet row, int column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
