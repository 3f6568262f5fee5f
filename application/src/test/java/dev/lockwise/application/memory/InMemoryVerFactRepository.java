package dev.lockwise.application.memory;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactNotFoundException;
import dev.lockwise.domain.verfact.VerFactRepository;
import dev.lockwise.domain.verfact.VerFactState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Facts in memory, optimistic like the jOOQ adapter (write only if the version is still the one read), passing the
 * same port contract as the database adapters.
 */
public final class InMemoryVerFactRepository implements VerFactRepository {
    private final Map<Long, VerFact> byId = new TreeMap<>();
    private long nextId = 1;

    @Override
    public synchronized VerFact insert() {
        VerFact fact = new VerFact(new VerFactId(nextId++), VerFactState.INSERTED, false, 1);
        byId.put(fact.id().value(), fact);
        return fact;
    }

    @Override
    public synchronized Optional<VerFact> find(VerFactId id) {
        return Optional.ofNullable(byId.get(id.value()));
    }

    @Override
    public synchronized List<VerFact> findAll() {
        return new ArrayList<>(byId.values());
    }

    @Override
    public synchronized List<VerFactId> findAllIds() {
        return byId.values().stream().map(VerFact::id).toList();
    }

    @Override
    public Updated<VerFact> update(VerFactId id, UnaryOperator<VerFact> change) {
        VerFact before = find(id).orElseThrow(() -> new VerFactNotFoundException(id));
        VerFact after = change.apply(before);
        if (!after.equals(before)) {
            synchronized (this) {
                if (byId.get(id.value()).version() != before.version()) {
                    throw new ConcurrentUpdateException("fact " + id + " changed after it was read at version "
                            + before.version());
                }
                byId.put(id.value(), after);
            }
        }
        return new Updated<>(before, after);
    }
}
