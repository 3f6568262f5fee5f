package dev.lockwise.domain.account;

import dev.lockwise.domain.NotFoundException;

public class AccountNotFoundException extends NotFoundException {
    private static final long serialVersionUID = 1L;

    public AccountNotFoundException(AccountId id) {
        super("no account with id " + id);
    }

    public AccountNotFoundException(Username username) {
        super("no account with username '" + username + "'");
    }
}
