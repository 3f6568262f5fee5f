package dev.lockwise.adapter.pessimistic;

import dev.lockwise.domain.Updated;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactNotFoundException;
import dev.lockwise.domain.verfact.VerFactRepository;
import dev.lockwise.jdbc.Rows;
import dev.lockwise.jdbc.Transactions;
import dev.lockwise.jdbc.Transactions.Binder;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/** Pessimistic verfacts on plain JDBC: lock the row, change it in Java, write it, in one transaction. */
public final class PessimisticVerFactRepository implements VerFactRepository {
    private static final String COLUMNS = "SELECT " + Rows.VERFACT_COLUMNS + " FROM verfact";

    private static final String WRITE_AND_COMMIT = LockingSql.committing(
            "UPDATE verfact SET state = ?, processed = ?, version = ? WHERE id = ?");

    private final Transactions transactions;
    private final String lockById;

    /**
     * @param dataSource  the host's pool
     * @param lockTimeout how long a transaction waits for a row lock held elsewhere (1 ms to 10 minutes)
     */
    public PessimisticVerFactRepository(DataSource dataSource, Duration lockTimeout) {
        this.transactions = new Transactions(dataSource, lockTimeout);
        this.lockById = new LockingSql(transactions.lockTimeoutSetting())
                .locking(COLUMNS + " WHERE id = ? FOR NO KEY UPDATE");
    }

    @Override
    public VerFact insert() {
        return transactions.query("insert verfact",
                "INSERT INTO verfact DEFAULT VALUES RETURNING " + Rows.VERFACT_COLUMNS, Binder.NONE,
                Rows::verFacts).get(0);
    }

    @Override
    public Optional<VerFact> find(VerFactId id) {
        return transactions.query("read verfact " + id, COLUMNS + " WHERE id = ?",
                statement -> statement.setLong(1, id.value()), Rows::verFacts).stream().findFirst();
    }

    @Override
    public List<VerFact> findAll() {
        return transactions.query("read verfacts", COLUMNS + " ORDER BY id", Binder.NONE, Rows::verFacts);
    }

    @Override
    public List<VerFactId> findAllIds() {
        return transactions.query("read verfact ids", "SELECT id FROM verfact ORDER BY id", Binder.NONE,
                Rows::verFactIds);
    }

    @Override
    public Updated<VerFact> update(VerFactId id, UnaryOperator<VerFact> change) {
        return transactions.inTransaction("update verfact " + id, connection -> {
            VerFact before;
            try (PreparedStatement lock = connection.prepareStatement(lockById)) {
                lock.setLong(1, id.value());
                try (ResultSet rows = LockingSql.firstResultSet(lock)) {
                    before = Rows.verFacts(rows).stream().findFirst()
                            .orElseThrow(() -> new VerFactNotFoundException(id));
                }
            }
            VerFact after = change.apply(before);
            if (!after.equals(before)) {
                try (PreparedStatement write = connection.prepareStatement(WRITE_AND_COMMIT)) {
                    write.setString(1, String.valueOf(after.state().code()));
                    write.setBoolean(2, after.processed());
                    write.setLong(3, after.version());
                    write.setLong(4, id.value());
                    write.execute();
                }
            }
            return new Updated<>(before, after);
        });
    }
}
