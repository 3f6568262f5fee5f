package dev.lockwise.application.events;

import java.util.Locale;

/** The use cases that report events, by name. */
public enum Operation {
    DEPOSIT,
    SET_AS_PROCESSED;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
