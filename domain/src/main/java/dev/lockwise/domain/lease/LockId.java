package dev.lockwise.domain.lease;

import dev.lockwise.domain.TextRules;

/** The name of a lease: any Unicode text of 1 to 200 characters without control characters. */
public record LockId(String value) {
    public static final int MAX_LENGTH = 200;

    public LockId {
        TextRules.requireCleanText("lock id", value, MAX_LENGTH);
    }

    @Override
    public String toString() {
        return value;
    }
}
