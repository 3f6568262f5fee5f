package dev.lockwise.cli.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** pgbench gets the password from a libpq password file, escaped as libpq reads it, not from its environment. */
class PgbenchPassfileTest {
    @Test
    void oneLineForEveryHostWithBackslashesAndColonsEscaped() {
        assertThat(Pgbench.passfileLine("plain")).isEqualTo("*:*:*:*:plain\n");
        assertThat(Pgbench.passfileLine("a:b\\c")).isEqualTo("*:*:*:*:a\\:b\\\\c\n");
        assertThat(Pgbench.passfileLine("")).isEqualTo("*:*:*:*:\n");
    }

    @Test
    void aPasswordWithALineBreakIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> Pgbench.passfileLine("one\ntwo"));
        assertThatIllegalArgumentException().isThrownBy(() -> Pgbench.passfileLine("one\rtwo"));
    }
}
