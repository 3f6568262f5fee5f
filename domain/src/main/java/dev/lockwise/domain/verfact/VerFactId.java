package dev.lockwise.domain.verfact;

import dev.lockwise.domain.InvalidInputException;

/**
 * The database identity of a verfact row; always positive.
 *
 * @param value the id
 */
public record VerFactId(long value) {
    /**
     * @param value the id, positive
     * @throws InvalidInputException if it is not
     */
    public VerFactId {
        if (value <= 0) {
            throw new InvalidInputException("verfact id must be a positive number, got " + value);
        }
    }

    /**
     * @param text the id as digits, surrounding blanks allowed
     * @return the id
     * @throws InvalidInputException if it is not a positive number
     */
    public static VerFactId parse(String text) {
        try {
            return new VerFactId(Long.parseLong(text.trim()));
        } catch (NumberFormatException | NullPointerException e) {
            throw new InvalidInputException("verfact id must be a positive number, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
