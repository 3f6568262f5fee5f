package dev.lockwise.domain.account;

import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.TextRules;

import java.text.Normalizer;

/**
 * An account's unique name: 1 to 64 characters, no control characters, no leading or trailing blanks. Stored in
 * Unicode normalization form C, so that "é" typed as one code point or as "e" plus a combining accent is one
 * account; characters that are invisible or change the direction of text (Unicode's format characters: zero-width
 * space and joiners, U+202E and the other bidirectional controls, the byte-order mark) are refused, since they make
 * look-alike accounts.
 */
public record Username(String value) {
    public static final int MAX_LENGTH = 64;

    public Username {
        TextRules.requireCleanText("username", value, MAX_LENGTH);
        value = Normalizer.normalize(value, Normalizer.Form.NFC);
        if (value.length() > MAX_LENGTH) {
            throw new InvalidInputException("username must be at most " + MAX_LENGTH + " UTF-16 units long");
        }
        if (!value.strip().equals(value)) {
            throw new InvalidInputException("username must not start or end with blanks: '" + value + "'");
        }
        for (int i = 0; i < value.length(); ) {
            int codePoint = value.codePointAt(i);
            if (Character.getType(codePoint) == Character.FORMAT) {
                throw new InvalidInputException(String.format("username must not contain invisible or"
                        + " text-direction characters, found U+%04X", codePoint));
            }
            i += Character.charCount(codePoint);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
