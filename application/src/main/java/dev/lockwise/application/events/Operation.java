package dev.lockwise.application.events;

import java.util.Locale;

/** The use cases that report events, by name. */
public enum Operation {
    /** A deposit into an account, with or without a request id. */
    DEPOSIT,
    /** Setting a verfact processed. */
    SET_AS_PROCESSED;

    /** @return the name in metrics and logs: {@code deposit}, {@code set-as-processed} */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
