package dev.lockwise.adapter.jooq;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.RowOutcome;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactNotFoundException;
import dev.lockwise.domain.verfact.VerFactRepository;
import dev.lockwise.jdbc.Rows;
import dev.lockwise.jdbc.Transactions;
import dev.lockwise.jdbc.Transactions.Binder;
import org.jooq.impl.DSL;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

import static dev.lockwise.adapter.jooq.generated.Tables.VERFACT;

/** Optimistic verfacts on jOOQ: read without a lock, write only if the version is still the one read. */
public final class JooqVerFactRepository implements VerFactRepository {
    private final Transactions transactions;
    private final String insert;
    private final String selectById;
    private final String selectAll;
    private final String selectIds;
    private final String updateIfVersion;
    private final EachRowUpdate<VerFactId, VerFact> eachRow;

    /**
     * With row-lock waits bounded by 5 s.
     *
     * @param dataSource the host's pool
     */
    public JooqVerFactRepository(DataSource dataSource) {
        this(dataSource, Transactions.DEFAULT_LOCK_TIMEOUT);
    }

    /**
     * @param dataSource  the host's pool
     * @param lockTimeout how long a write waits for a row lock held elsewhere (1 ms to 10 minutes)
     */
    public JooqVerFactRepository(DataSource dataSource, Duration lockTimeout) {
        JooqSupport jooq = new JooqSupport(dataSource, lockTimeout);
        this.transactions = jooq.transactions();
        this.insert = jooq.render(DSL.insertInto(VERFACT).defaultValues()
                .returning(VERFACT.ID, VERFACT.STATE, VERFACT.PROCESSED, VERFACT.VERSION));
        this.selectById = jooq.render(DSL.select(VERFACT.ID, VERFACT.STATE, VERFACT.PROCESSED, VERFACT.VERSION)
                .from(VERFACT).where(VERFACT.ID.eq(DSL.param("id", Long.class))));
        this.selectAll = jooq.render(DSL.select(VERFACT.ID, VERFACT.STATE, VERFACT.PROCESSED, VERFACT.VERSION)
                .from(VERFACT).orderBy(VERFACT.ID));
        this.selectIds = jooq.render(DSL.select(VERFACT.ID).from(VERFACT).orderBy(VERFACT.ID));
        // Binds: state, processed, id, version.
        this.updateIfVersion = jooq.render(DSL.update(VERFACT)
                .set(VERFACT.STATE, DSL.param("state", String.class))
                .set(VERFACT.PROCESSED, DSL.param("processed", Boolean.class))
                .set(VERFACT.VERSION, VERFACT.VERSION.plus(DSL.inline(1L)))
                .from(jooq.lockTimeout())
                .where(VERFACT.ID.eq(DSL.param("id", Long.class)))
                .and(VERFACT.VERSION.eq(DSL.param("version", Long.class))));
        // Written out, not built with the DSL: one SQL text per row count, exactly two statements (see EachRowUpdate).
        this.eachRow = new EachRowUpdate<>("verfact", "SELECT " + Rows.VERFACT_COLUMNS + " FROM verfact",
                new EachRowUpdate.Write("verfact", "?::bigint, ?::text, ?::boolean, ?::bigint, ?::bigint",
                        "id, state, processed, version", "state = c.state, processed = c.processed, version = c.version",
                        transactions.lockTimeoutSetting()),
                Rows::verFact, VerFactId::value, fact -> fact.id().value(), VerFact::version,
                id -> new VerFactNotFoundException(new VerFactId(id)), (write, first, row) -> {
                    write.setLong(first, row.before().id().value());
                    write.setString(first + 1, String.valueOf(row.after().state().code()));
                    write.setBoolean(first + 2, row.after().processed());
                    write.setLong(first + 3, row.after().version());
                    write.setLong(first + 4, row.before().version());
                });
    }

    @Override
    public VerFact insert() {
        return transactions.query("insert verfact", insert, Binder.NONE, Rows::verFacts).get(0);
    }

    @Override
    public Optional<VerFact> find(VerFactId id) {
        return transactions.query("read verfact " + id, selectById, statement -> statement.setLong(1, id.value()),
                Rows::verFacts).stream().findFirst();
    }

    @Override
    public List<VerFact> findAll() {
        return transactions.query("read verfacts", selectAll, Binder.NONE, Rows::verFacts);
    }

    @Override
    public List<VerFactId> findAllIds() {
        return transactions.query("read verfact ids", selectIds, Binder.NONE, Rows::verFactIds);
    }

    /** Read (no lock), change in Java, conditional write: two autocommit statements on one pooled connection. */
    @Override
    public Updated<VerFact> update(VerFactId id, UnaryOperator<VerFact> change) {
        return transactions.autocommit("update verfact " + id, connection -> {
            VerFact before = Transactions.query(connection, selectById, read -> read.setLong(1, id.value()),
                    Rows::verFacts).stream().findFirst().orElseThrow(() -> new VerFactNotFoundException(id));
            VerFact after = change.apply(before);
            if (after.equals(before)) {
                return new Updated<>(before, after);
            }
            try (PreparedStatement write = connection.prepareStatement(updateIfVersion)) {
                write.setString(1, String.valueOf(after.state().code()));
                write.setBoolean(2, after.processed());
                write.setLong(3, id.value());
                write.setLong(4, before.version());
                if (write.executeUpdate() == 0) {
                    throw new ConcurrentUpdateException("verfact " + id + " changed after it was read at version "
                            + before.version());
                }
            }
            return new Updated<>(before, after);
        });
    }

    /** One read of every fact, one write of every changed one, each conditional on its own version. */
    @Override
    public Map<VerFactId, RowOutcome<VerFact>> updateEach(Map<VerFactId, UnaryOperator<VerFact>> changes) {
        return eachRow.run(transactions, changes);
    }
}
