package dev.lockwise.domain.lease;

import dev.lockwise.domain.TextRules;

/** The name of a lease: any Unicode text of 1 to 200 characters without control characters. */
public record LockId(String value) {
    /** The longest lock id accepted, in UTF-16 units. */
    public static final int MAX_LENGTH = 200;

    /**
     * @param value the name: 1 to 200 characters, no control characters
     * @throws dev.lockwise.domain.InvalidInputException if the id is blank, too long or contains control characters
     */
    public LockId {
        TextRules.requireCleanText("lock id", value, MAX_LENGTH);
    }

    @Override
    public String toString() {
        return value;
    }
}
