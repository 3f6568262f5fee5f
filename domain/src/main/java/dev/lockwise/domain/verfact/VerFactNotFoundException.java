package dev.lockwise.domain.verfact;

import dev.lockwise.domain.NotFoundException;

/** No verfact has the id asked for. */
public class VerFactNotFoundException extends NotFoundException {
    private static final long serialVersionUID = 1L;

    /** @param id the id asked for */
    public VerFactNotFoundException(VerFactId id) {
        super("no verfact with id " + id);
    }
}
