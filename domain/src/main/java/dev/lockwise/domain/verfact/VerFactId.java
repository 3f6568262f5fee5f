package dev.lockwise.domain.verfact;

import dev.lockwise.domain.InvalidInputException;

/** The database identity of a verfact row; always positive. */
public record VerFactId(long value) {
    public VerFactId {
        if (value <= 0) {
            throw new InvalidInputException("verfact id must be a positive number, got " + value);
        }
    }

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
