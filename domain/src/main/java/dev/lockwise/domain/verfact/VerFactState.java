package dev.lockwise.domain.verfact;

/** The state column: one letter in the database. */
public enum VerFactState {
    INSERTED('I'),
    PROCESSED('P');

    private final char code;

    VerFactState(char code) {
        this.code = code;
    }

    public char code() {
        return code;
    }

    public static VerFactState ofCode(String code) {
        for (VerFactState state : values()) {
            if (code != null && code.length() == 1 && code.charAt(0) == state.code) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown verfact state '" + code + "'");
    }
}
