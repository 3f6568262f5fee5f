package dev.lockwise.domain.account;

import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.TextRules;

/** An account's unique name: 1 to 64 characters, no control characters, no leading or trailing blanks. */
public record Username(String value) {
    public static final int MAX_LENGTH = 64;

    public Username {
        TextRules.requireCleanText("username", value, MAX_LENGTH);
        if (value.length() > MAX_LENGTH) {
            throw new InvalidInputException("username must be at most " + MAX_LENGTH + " UTF-16 units long");
        }
        if (!value.strip().equals(value)) {
            throw new InvalidInputException("username must not start or end with blanks: '" + value + "'");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
