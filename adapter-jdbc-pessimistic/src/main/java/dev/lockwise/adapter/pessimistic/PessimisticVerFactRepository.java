package dev.lockwise.adapter.pessimistic;

import dev.lockwise.domain.Updated;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactNotFoundException;
import dev.lockwise.domain.verfact.VerFactRepository;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Pessimistic verfacts on plain JDBC: lock the row, change it in Java, write it, in one transaction. */
public final class PessimisticVerFactRepository implements VerFactRepository {
    private static final String COLUMNS = "SELECT id, state, processed, version FROM verfact";

    private static final String WRITE_AND_COMMIT = Transactions.committing(
            "UPDATE verfact SET state = ?, processed = ?, version = ? WHERE id = ?");

    private final Transactions transactions;
    private final String lockById;

    public PessimisticVerFactRepository(DataSource dataSource, Duration lockTimeout) {
        this.transactions = new Transactions(dataSource, lockTimeout);
        this.lockById = transactions.locking(COLUMNS + " WHERE id = ? FOR NO KEY UPDATE");
    }

    @Override
    public VerFact insert() {
        return transactions.autocommit("insert verfact", connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO verfact DEFAULT VALUES RETURNING id, state, processed, version")) {
                return readAll(insert).get(0);
            }
        });
    }

    @Override
    public Optional<VerFact> find(VerFactId id) {
        return transactions.autocommit("read verfact " + id, connection -> {
            try (PreparedStatement select = connection.prepareStatement(COLUMNS + " WHERE id = ?")) {
                select.setLong(1, id.value());
                return readAll(select).stream().findFirst();
            }
        });
    }

    @Override
    public List<VerFact> findAll() {
        return transactions.autocommit("read verfacts", connection -> {
            try (PreparedStatement select = connection.prepareStatement(COLUMNS + " ORDER BY id")) {
                return readAll(select);
            }
        });
    }

    @Override
    public List<VerFactId> findAllIds() {
        return transactions.autocommit("read verfact ids", connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT id FROM verfact ORDER BY id");
                 ResultSet rows = select.executeQuery()) {
                List<VerFactId> ids = new ArrayList<>();
                while (rows.next()) {
                    ids.add(new VerFactId(rows.getLong(1)));
                }
                return ids;
            }
        });
    }

    @Override
    public Updated<VerFact> update(VerFactId id, UnaryOperator<VerFact> change) {
        return transactions.inTransaction("update verfact " + id, connection -> {
            VerFact before;
            try (PreparedStatement lock = connection.prepareStatement(lockById)) {
                lock.setLong(1, id.value());
                try (ResultSet rows = Transactions.firstResultSet(lock)) {
                    before = read(rows).stream().findFirst().orElseThrow(() -> new VerFactNotFoundException(id));
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

    private static List<VerFact> readAll(PreparedStatement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            return read(rows);
        }
    }

    private static List<VerFact> read(ResultSet rows) throws SQLException {
        List<VerFact> facts = new ArrayList<>();
        while (rows.next()) {
            facts.add(VerFact.fromColumns(rows.getLong(1), rows.getString(2), rows.getBoolean(3), rows.getLong(4)));
        }
        return facts;
    }
}
