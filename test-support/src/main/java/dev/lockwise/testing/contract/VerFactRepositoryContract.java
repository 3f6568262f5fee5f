package dev.lockwise.testing.contract;

import dev.lockwise.domain.ConcurrentUpdateException;
import dev.lockwise.domain.Updated;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactNotFoundException;
import dev.lockwise.domain.verfact.VerFactRepository;
import dev.lockwise.domain.verfact.VerFactState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link VerFactRepository} must do. Extend it in the adapter's own tests and return the repository
 * under test from {@link #verFacts()}; the tests only look at the facts they insert themselves.
 */
public abstract class VerFactRepositoryContract {
    /**
     * The repository under test; called once per test.
     *
     * @return the repository, on a migrated database that may also hold other facts
     */
    protected abstract VerFactRepository verFacts();

    @Test
    void anInsertedFactIsUnprocessedAtVersionOneAndIsListed() {
        VerFactRepository facts = verFacts();
        VerFact inserted = facts.insert();
        assertFalse(inserted.processed());
        assertEquals(1, inserted.version());
        assertEquals(inserted, facts.find(inserted.id()).orElseThrow());
        assertTrue(facts.findAll().contains(inserted));
        assertTrue(facts.findAllIds().contains(inserted.id()));
        List<VerFactId> ids = facts.findAllIds();
        for (int i = 1; i < ids.size(); i++) {
            assertTrue(ids.get(i - 1).value() < ids.get(i).value(), "ids in ascending order");
        }
        assertTrue(facts.find(new VerFactId(Long.MAX_VALUE)).isEmpty());
    }

    @Test
    void processingWritesOnceAndAgainChangesNothing() {
        VerFactRepository facts = verFacts();
        VerFact inserted = facts.insert();
        Updated<VerFact> first = facts.update(inserted.id(), VerFact::process);
        assertEquals(inserted, first.before());
        assertEquals(VerFactState.PROCESSED, first.after().state());
        assertEquals(2, first.after().version());
        Updated<VerFact> second = facts.update(inserted.id(), VerFact::process);
        assertEquals(second.before(), second.after());
        assertEquals(first.after(), facts.find(inserted.id()).orElseThrow());
    }

    @Test
    void aMissingFactIsReported() {
        assertThrows(VerFactNotFoundException.class,
                () -> verFacts().update(new VerFactId(Long.MAX_VALUE), VerFact::process));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void manyWorkersProcessAFactAndExactlyOneOfThemChangesIt() throws Exception {
        VerFactRepository facts = verFacts();
        VerFact inserted = facts.insert();
        int workers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<Boolean> changed = new ArrayList<>();
        try {
            List<Future<Boolean>> attempts = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                attempts.add(pool.submit(() -> {
                    while (true) {
                        try {
                            Updated<VerFact> result = facts.update(inserted.id(), VerFact::process);
                            return !result.before().equals(result.after());
                        } catch (ConcurrentUpdateException conflict) {
                            // Lost the race: the next attempt re-reads and finds the fact processed.
                        }
                    }
                }));
            }
            for (Future<Boolean> attempt : attempts) {
                changed.add(attempt.get(2, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, changed.stream().filter(Boolean::booleanValue).count(), "exactly one winner");
        assertEquals(2, facts.find(inserted.id()).orElseThrow().version());
    }
}
