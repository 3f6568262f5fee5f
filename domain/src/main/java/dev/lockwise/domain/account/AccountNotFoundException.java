package dev.lockwise.domain.account;

import dev.lockwise.domain.NotFoundException;

/** No account has the id or username asked for; nothing was written. */
public class AccountNotFoundException extends NotFoundException {
    private static final long serialVersionUID = 1L;

    /** @param id the account id that matched no row */
    public AccountNotFoundException(AccountId id) {
        super("no account with id " + id);
    }

    /** @param username the username that matched no row */
    public AccountNotFoundException(Username username) {
        super("no account with username '" + username + "'");
    }
}
