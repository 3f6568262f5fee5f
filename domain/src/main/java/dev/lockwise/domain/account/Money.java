package dev.lockwise.domain.account;

import dev.lockwise.domain.InvalidAmountException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A non-negative amount with exactly two decimal places that fits the database column {@code numeric(19,2)}.
 * Amounts with more precision are rejected, never rounded: silently losing a cent is a lost update of its own.
 */
public record Money(BigDecimal amount) implements Comparable<Money> {
    /** Decimal places kept: cents. */
    public static final int SCALE = 2;
    /** The largest value of {@code numeric(19,2)}. */
    public static final BigDecimal MAX = new BigDecimal("99999999999999999.99");
    /** No money. */
    public static final Money ZERO = new Money(BigDecimal.ZERO);
    private static final Pattern ASCII_DECIMAL = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    /**
     * The amount must fit two decimal places and the column's range; nothing is rounded.
     *
     * @param amount the amount: not negative, at most two decimal places, at most the maximum balance
     * @throws InvalidAmountException if it does not
     */
    public Money {
        Objects.requireNonNull(amount, "amount");
        if (amount.stripTrailingZeros().scale() > SCALE) {
            throw new InvalidAmountException("amount " + amount.toPlainString() + " has more than " + SCALE
                    + " decimal places");
        }
        if (amount.signum() < 0) {
            throw new InvalidAmountException("amount must not be negative, got " + amount.toPlainString());
        }
        if (amount.compareTo(MAX) > 0) {
            throw new InvalidAmountException("amount " + amount.toPlainString() + " exceeds the maximum "
                    + MAX.toPlainString());
        }
        amount = amount.setScale(SCALE, RoundingMode.UNNECESSARY);
    }

    /**
     * Parses a plain decimal such as {@code 10}, {@code 10.5} or {@code 10.50}, in ASCII digits only (Java would
     * read {@code １２} or {@code ١٢} as twelve; a user who typed them did not necessarily mean it).
     *
     * @param text the decimal, surrounding blanks allowed
     * @return that amount
     * @throws InvalidAmountException if it is not such a decimal, or not a valid amount
     */
    public static Money parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidAmountException("amount must be a decimal number, got nothing");
        }
        String trimmed = text.trim();
        if (!ASCII_DECIMAL.matcher(trimmed).matches()) {
            throw new InvalidAmountException("amount must be a decimal number in ASCII digits such as 10.50, got '"
                    + text + "'");
        }
        try {
            return new Money(new BigDecimal(trimmed));
        } catch (NumberFormatException e) {
            throw new InvalidAmountException("amount must be a decimal number such as 10.50, got '" + text + "'");
        }
    }

    /**
     * @param text a decimal amount, such as {@code 10.50}
     * @return that amount
     * @throws InvalidAmountException if it is not one
     */
    public static Money of(String text) {
        return parse(text);
    }

    /**
     * @param cents the amount in cents
     * @return that amount
     */
    public static Money ofCents(long cents) {
        return new Money(BigDecimal.valueOf(cents, SCALE));
    }

    /** @return whether the amount is above zero */
    public boolean isPositive() {
        return amount.signum() > 0;
    }

    /**
     * @param other the amount to add
     * @return the sum
     * @throws InvalidAmountException if it would not fit {@code numeric(19,2)}
     */
    public Money plus(Money other) {
        BigDecimal sum = amount.add(other.amount);
        if (sum.compareTo(MAX) > 0) {
            throw new InvalidAmountException("adding " + other + " to " + this + " would exceed the maximum balance "
                    + MAX.toPlainString());
        }
        return new Money(sum);
    }

    @Override
    public int compareTo(Money other) {
        return amount.compareTo(other.amount);
    }

    @Override
    public String toString() {
        return amount.toPlainString();
    }
}
