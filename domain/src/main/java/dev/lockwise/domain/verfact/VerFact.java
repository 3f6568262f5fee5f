package dev.lockwise.domain.verfact;

import java.util.Objects;

/**
 * A fact that is inserted once and processed at most once. Version starts at 1 and counts changes.
 *
 * @param id        the database's id
 * @param state     the state column
 * @param processed whether it was processed; must agree with {@code state}
 * @param version   1 when inserted, one higher per change
 */
public record VerFact(VerFactId id, VerFactState state, boolean processed, long version) {
    /**
     * @param id        the database's id
     * @param state     the state column
     * @param processed whether it was processed; must agree with {@code state}
     * @param version   at least 1
     */
    public VerFact {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        if ((state == VerFactState.PROCESSED) != processed) {
            throw new IllegalArgumentException("state " + state + " contradicts processed=" + processed);
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, got " + version);
        }
    }

    /** @return this fact processed, with the version one higher; itself, unchanged, if it was processed already */
    public VerFact process() {
        return processed ? this : new VerFact(id, VerFactState.PROCESSED, true, version + 1);
    }
}
