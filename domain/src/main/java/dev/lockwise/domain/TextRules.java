package dev.lockwise.domain;

/** Checks shared by the value objects that hold user-supplied text (usernames, lock ids). */
public final class TextRules {
    private TextRules() {
    }

    /**
     * Rejects null, blank, over-long text, control characters (PostgreSQL text cannot hold NUL) and unpaired
     * surrogates (not valid Unicode, so not storable as UTF-8).
     *
     * @param what          what the text is, for the message ("username")
     * @param value         the text
     * @param maxCodePoints the most code points allowed
     * @return the text, unchanged
     * @throws InvalidInputException if the text breaks one of the rules
     */
    public static String requireCleanText(String what, String value, int maxCodePoints) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(what + " must not be blank");
        }
        int length = value.codePointCount(0, value.length());
        if (length > maxCodePoints) {
            throw new InvalidInputException(what + " must be at most " + maxCodePoints + " characters, got " + length);
        }
        // One pass, no streams: this runs on every row read (usernames), so it is on the hot path.
        for (int i = 0; i < value.length(); ) {
            int codePoint = value.codePointAt(i);
            if (Character.isISOControl(codePoint)) {
                throw new InvalidInputException(what + " must not contain control characters");
            }
            if (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE) {
                throw new InvalidInputException(what + " is not valid Unicode (unpaired surrogate)");
            }
            i += Character.charCount(codePoint);
        }
        return value;
    }
}
