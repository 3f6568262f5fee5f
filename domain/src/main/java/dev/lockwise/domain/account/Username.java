package dev.lockwise.domain.account;

import dev.lockwise.domain.InvalidInputException;
import dev.lockwise.domain.TextRules;

import java.text.Normalizer;

/**
 * An account's unique name: 1 to 64 characters, no control characters, no leading or trailing blanks, held in
 * Unicode normalization form C — "é" typed as one code point or as "e" plus a combining accent is one name.
 *
 * <p>A <em>new</em> account's name must also pass {@link #requireNoLookAlikes()}: no characters that are invisible
 * or change the direction of text (zero-width space and joiners, U+202E and the other bidirectional controls, the
 * byte-order mark, variation selectors, fillers — Unicode's default-ignorable code points), which make look-alike
 * names. Names already stored are read as they are, so an older account that has one stays reachable.
 *
 * @param value the name, normalized to NFC
 */
public record Username(String value) {
    /** The longest name accepted, in code points and in UTF-16 units. */
    public static final int MAX_LENGTH = 64;

    /**
     * @param value the name: 1 to 64 characters, no control characters, no leading or trailing blanks
     * @throws InvalidInputException if it breaks one of those rules
     */
    public Username {
        TextRules.requireCleanText("username", value, MAX_LENGTH);
        value = Normalizer.normalize(value, Normalizer.Form.NFC);
        if (value.length() > MAX_LENGTH) {
            throw new InvalidInputException("username must be at most " + MAX_LENGTH + " UTF-16 units long");
        }
        if (!value.strip().equals(value)) {
            throw new InvalidInputException("username must not start or end with blanks: '" + value + "'");
        }
    }

    /**
     * For a name that is about to be given to a new account: refuses invisible and text-direction characters.
     *
     * @return this name
     * @throws InvalidInputException if it contains one
     */
    public Username requireNoLookAlikes() {
        for (int i = 0; i < value.length(); ) {
            int codePoint = value.codePointAt(i);
            if (invisible(codePoint)) {
                throw new InvalidInputException(String.format("username must not contain invisible or"
                        + " text-direction characters, found U+%04X", codePoint));
            }
            i += Character.charCount(codePoint);
        }
        return this;
    }

    /** Unicode's Default_Ignorable_Code_Point set (UCD DerivedCoreProperties), plus every format character. */
    private static boolean invisible(int c) {
        return Character.getType(c) == Character.FORMAT
                || c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x115F || c == 0x1160 || c == 0x17B4
                || c == 0x17B5 || (c >= 0x180B && c <= 0x180F) || (c >= 0x200B && c <= 0x200F)
                || (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x206F) || c == 0x3164
                || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || c == 0xFFA0 || (c >= 0xFFF0 && c <= 0xFFF8)
                || (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) || (c >= 0xE0000 && c <= 0xE0FFF);
    }

    @Override
    public String toString() {
        return value;
    }
}
