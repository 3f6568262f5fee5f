package dev.lockwise.application;

import dev.lockwise.domain.InvalidInputException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a read-modify-write is kept safe. Chosen by configuration; the use cases are the same for all. */
public enum Strategy {
    /** Read without a lock, write only if the version is unchanged, retry on conflict (jOOQ adapter). */
    OPTIMISTIC,
    /** Lock the row with {@code SELECT … FOR NO KEY UPDATE}, change and write in one transaction (JDBC adapter). */
    PESSIMISTIC,
    /** Optimistic first; the row lock after a conflict and while the row stays hot. */
    ADAPTIVE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Strategy parse(String text) {
        for (Strategy strategy : values()) {
            if (strategy.label().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return strategy;
            }
        }
        throw new InvalidInputException("unknown strategy '" + text + "'; valid choices: " + choices());
    }

    public static String choices() {
        return Arrays.stream(values()).map(Strategy::label).collect(Collectors.joining(", "));
    }
}
