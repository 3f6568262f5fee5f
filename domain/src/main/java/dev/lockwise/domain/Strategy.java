package dev.lockwise.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a read-modify-write is kept safe: the concurrency control a host chooses for deposits and set-as-processed.
 * Chosen by configuration; the use cases and their guarantees are the same for all, only speed and waiting differ.
 */
public enum Strategy {
    /** Read without a lock, write only if the version is unchanged, retry on conflict (jOOQ adapter). */
    OPTIMISTIC,
    /** Lock the row with {@code SELECT … FOR NO KEY UPDATE}, change and write in one transaction (JDBC adapter). */
    PESSIMISTIC,
    /** Optimistic first; the row lock after a conflict and while the row stays hot. */
    ADAPTIVE,
    /**
     * Optimistic, with the concurrent attempts of one process carried by one multi-row read and one multi-row write
     * (each row's version checked on its own): group commit in the client.
     */
    BATCHED;

    /**
     * The name used in configuration, on the command line and in metrics.
     *
     * @return the constant's name in lower case, e.g. {@code optimistic}
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a strategy by its {@link #label() label}, ignoring case and surrounding blanks.
     *
     * @param text a label such as {@code adaptive}; {@code null} is treated as empty
     * @return the strategy with that label
     * @throws InvalidInputException if no strategy has that label; the message lists the valid choices
     */
    public static Strategy parse(String text) {
        for (Strategy strategy : values()) {
            if (strategy.label().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return strategy;
            }
        }
        throw new InvalidInputException("unknown strategy '" + text + "'; valid choices: " + choices());
    }

    /**
     * The valid labels, for messages and help texts.
     *
     * @return the labels joined with {@code ", "}, in declaration order
     */
    public static String choices() {
        return Arrays.stream(values()).map(Strategy::label).collect(Collectors.joining(", "));
    }
}
