package dev.lockwise.domain.verfact;

/** The state column: one letter in the database. */
public enum VerFactState {
    /** Inserted and not processed yet ({@code 'I'}). */
    INSERTED('I'),
    /** Processed, once and for all ({@code 'P'}). */
    PROCESSED('P');

    private final char code;

    VerFactState(char code) {
        this.code = code;
    }

    /** @return the letter stored in the database */
    public char code() {
        return code;
    }

    /**
     * @param code the column's value
     * @return the state it stands for
     * @throws IllegalArgumentException if it stands for none
     */
    public static VerFactState ofCode(String code) {
        for (VerFactState state : values()) {
            if (code != null && code.length() == 1 && code.charAt(0) == state.code) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown verfact state '" + code + "'");
    }
}
