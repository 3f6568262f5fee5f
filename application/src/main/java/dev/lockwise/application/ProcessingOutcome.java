package dev.lockwise.application;

/** What a set-as-processed call did. Exactly one call per fact gets {@link #PROCESSED_BY_THIS_CALL}. */
public enum ProcessingOutcome {
    PROCESSED_BY_THIS_CALL,
    ALREADY_PROCESSED
}
