package dev.lockwise.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextRulesTest {

    @Test
    void cleanTextIsReturnedUnchanged() {
        assertThat(TextRules.requireCleanText("label", "Zo\u00eb \ud83d\udc19", 10)).isEqualTo("Zo\u00eb \ud83d\udc19");
        assertThat(TextRules.requireCleanText("label", " padded ", 10)).as("blanks around are not this rule's concern")
                .isEqualTo(" padded ");
    }

    @Test
    void theLengthLimitCountsCodePointsNotUtf16Units() {
        String threeOctopuses = "\ud83d\udc19".repeat(3); // 3 code points, 6 UTF-16 units
        assertThat(TextRules.requireCleanText("label", threeOctopuses, 3)).isEqualTo(threeOctopuses);
        assertThatThrownBy(() -> TextRules.requireCleanText("label", threeOctopuses, 2))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("label must be at most 2 characters, got 3");
    }

    @Test
    void missingOrBlankTextIsRefusedNamingWhatItIs() {
        assertThatThrownBy(() -> TextRules.requireCleanText("label", null, 5))
                .isInstanceOf(InvalidInputException.class).hasMessage("label must not be blank");
        assertThatThrownBy(() -> TextRules.requireCleanText("label", "\t ", 5))
                .isInstanceOf(InvalidInputException.class).hasMessage("label must not be blank");
    }

    @Test
    void controlCharactersAndUnpairedSurrogatesAreRefused() {
        assertThatThrownBy(() -> TextRules.requireCleanText("label", "a\u007fb", 5))
                .isInstanceOf(InvalidInputException.class).hasMessage("label must not contain control characters");
        assertThatThrownBy(() -> TextRules.requireCleanText("label", "a\udc19", 5))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("label is not valid Unicode (unpaired surrogate)");
    }
}
