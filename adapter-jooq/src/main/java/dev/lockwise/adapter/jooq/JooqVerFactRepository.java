package dev.lockwise.adapter.jooq;

import dev.lockwise.adapter.jooq.generated.tables.records.VerfactRecord;
import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactNotFoundException;
import dev.lockwise.domain.verfact.VerFactRepository;
import dev.lockwise.domain.verfact.VerFactState;
import org.jooq.DSLContext;

import javax.sql.DataSource;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static dev.lockwise.adapter.jooq.JooqSupport.translating;
import static dev.lockwise.adapter.jooq.generated.Tables.VERFACT;

/** Optimistic verfacts on jOOQ: read without a lock, write only if the version is still the one read. */
public final class JooqVerFactRepository implements VerFactRepository {
    private final DSLContext db;

    public JooqVerFactRepository(DataSource dataSource) {
        this.db = JooqSupport.context(dataSource);
    }

    @Override
    public VerFact insert() {
        return translating("insert verfact", () -> toVerFact(db.insertInto(VERFACT).defaultValues().returning()
                .fetchOne()));
    }

    @Override
    public Optional<VerFact> find(VerFactId id) {
        return translating("read verfact " + id, () -> db.selectFrom(VERFACT).where(VERFACT.ID.eq(id.value()))
                .fetchOptional().map(JooqVerFactRepository::toVerFact));
    }

    @Override
    public List<VerFact> findAll() {
        return translating("read verfacts", () -> db.selectFrom(VERFACT).orderBy(VERFACT.ID).fetch()
                .map(JooqVerFactRepository::toVerFact));
    }

    @Override
    public List<VerFactId> findAllIds() {
        return translating("read verfact ids", () -> db.select(VERFACT.ID).from(VERFACT).orderBy(VERFACT.ID)
                .fetch(record -> new VerFactId(record.value1())));
    }

    @Override
    public Updated<VerFact> update(VerFactId id, UnaryOperator<VerFact> change) {
        VerFact before = find(id).orElseThrow(() -> new VerFactNotFoundException(id));
        VerFact after = change.apply(before);
        if (after.equals(before)) {
            return new Updated<>(before, after);
        }
        int rows = translating("update verfact " + id, () -> db.update(VERFACT)
                .set(VERFACT.STATE, String.valueOf(after.state().code()))
                .set(VERFACT.PROCESSED, after.processed())
                .set(VERFACT.VERSION, VERFACT.VERSION.plus(1L))
                .where(VERFACT.ID.eq(id.value()))
                .and(VERFACT.VERSION.eq(before.version()))
                .execute());
        if (rows == 0) {
            throw new ConcurrentUpdateException("verfact " + id + " changed after it was read at version "
                    + before.version());
        }
        return new Updated<>(before, after);
    }

    private static VerFact toVerFact(VerfactRecord row) {
        return new VerFact(new VerFactId(row.getId()), VerFactState.ofCode(row.getState()), row.getProcessed(),
                row.getVersion());
    }
}
