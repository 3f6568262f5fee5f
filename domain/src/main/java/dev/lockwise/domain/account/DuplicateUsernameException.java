package dev.lockwise.domain.account;

import dev.lockwise.domain.LockwiseException;

/** An account with this username exists already; nothing was written. */
public class DuplicateUsernameException extends LockwiseException {
    private static final long serialVersionUID = 1L;

    /** @param username the name already taken */
    public DuplicateUsernameException(Username username) {
        super("an account with username '" + username + "' exists already");
    }
}
