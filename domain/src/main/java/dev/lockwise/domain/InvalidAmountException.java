package dev.lockwise.domain;

/** An amount is zero where it must be positive, negative, too precise or too large. Nothing was written. */
public class InvalidAmountException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong with the amount */
    public InvalidAmountException(String message) {
        super(message);
    }
}
