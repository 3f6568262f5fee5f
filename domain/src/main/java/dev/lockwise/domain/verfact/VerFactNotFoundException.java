package dev.lockwise.domain.verfact;

import dev.lockwise.domain.NotFoundException;

public class VerFactNotFoundException extends NotFoundException {
    private static final long serialVersionUID = 1L;

    public VerFactNotFoundException(VerFactId id) {
        super("no verfact with id " + id);
    }
}
