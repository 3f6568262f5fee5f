package dev.lockwise.application;

/** What a set-as-processed call did. Exactly one call per fact gets {@link #PROCESSED_BY_THIS_CALL}. */
public enum ProcessingOutcome {
    /** This call set the fact processed: it is the one winner. */
    PROCESSED_BY_THIS_CALL,
    /** The fact had been processed before (by another call); this call wrote nothing. */
    ALREADY_PROCESSED
}
