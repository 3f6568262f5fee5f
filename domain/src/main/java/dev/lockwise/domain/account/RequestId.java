package dev.lockwise.domain.account;

import dev.lockwise.domain.TextRules;

/**
 * A caller-chosen idempotency key for a deposit (for example a UUID or "order-4711-payment"). The first deposit
 * with a key is applied; every later one with the same key returns that first outcome without applying it again.
 */
public record RequestId(String value) {
    /** The longest request id accepted, in UTF-16 units. */
    public static final int MAX_LENGTH = 100;

    /**
     * @param value the key: 1 to 100 UTF-16 units, no control characters
     * @throws dev.lockwise.domain.InvalidInputException if the id is blank, too long or contains control characters
     */
    public RequestId {
        TextRules.requireCleanText("request id", value, MAX_LENGTH);
        if (value.length() > MAX_LENGTH) {
            throw new dev.lockwise.domain.InvalidInputException("request id must be at most " + MAX_LENGTH
                    + " UTF-16 units long");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
