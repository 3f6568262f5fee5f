package dev.lockwise.domain.account;

import dev.lockwise.domain.InvalidInputException;

/** The database identity of an account; always positive. */
public record AccountId(long value) {
    /**
     * @param value the id, positive
     * @throws InvalidInputException if the value is not positive
     */
    public AccountId {
        if (value <= 0) {
            throw new InvalidInputException("account id must be a positive number, got " + value);
        }
    }

    /**
     * The id typed as text (surrounding blanks allowed).
     *
     * @param text the digits
     * @return the id
     * @throws InvalidInputException if it is not a positive number
     */
    public static AccountId parse(String text) {
        try {
            return new AccountId(Long.parseLong(text.trim()));
        } catch (NumberFormatException | NullPointerException e) {
            throw new InvalidInputException("account id must be a positive number, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
