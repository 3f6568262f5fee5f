package dev.lockwise.domain;

import dev.lockwise.domain.account.Account;
import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.verfact.VerFact;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueObjectsTest {

    @Test
    void moneyKeepsTwoDecimalPlacesExactly() {
        assertThat(Money.of("10").amount().toPlainString()).isEqualTo("10.00");
        assertThat(Money.of("10.5").toString()).isEqualTo("10.50");
        assertThat(Money.of("1.230")).isEqualTo(Money.of("1.23"));
        assertThat(Money.ofCents(1234)).isEqualTo(Money.of("12.34"));
        assertThat(new Money(Money.MAX).toString()).isEqualTo("99999999999999999.99");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "0.001", "1e20", "100000000000000000", "abc", "", " ", "1,5", "NaN"})
    void moneyRejectsWhatDoesNotFitNumeric19Comma2(String text) {
        assertThatThrownBy(() -> Money.parse(text)).isInstanceOf(InvalidAmountException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\uff11\uff12", "\u0661\u0662", "1\u0662", "\u0967.50"})
    void amountsAreAsciiDigitsOnly(String text) {
        // Java's BigDecimal reads fullwidth, Arabic-Indic and Devanagari digits as 12: a user may not have meant it.
        assertThatThrownBy(() -> Money.parse(text)).isInstanceOf(InvalidAmountException.class)
                .hasMessageContaining("ASCII digits");
        assertThat(Money.parse(" 12.50 ")).isEqualTo(Money.of("12.5"));
        assertThat(Money.parse("+3")).isEqualTo(Money.of("3"));
    }

    @Test
    void usernamesAreOneAccountWhateverTheUnicodeFormAndLookAlikesAreRefused() {
        String composed = "\u00e9";    // é as one code point (NFC)
        String decomposed = "e\u0301"; // e + combining acute accent (NFD)
        assertThat(new Username(decomposed)).isEqualTo(new Username(composed));
        assertThat(new Username(decomposed).value()).isEqualTo(composed);
        for (String invisible : new String[] {"ab\u200bcd", "ab\u202ecd", "ab\u2066cd", "\ufeffab", "ab\u200dcd",
                "ab\u00adcd", "ab\u3164cd", "ab\ufe0fcd", "ab\u034fcd"}) {
            Username stored = new Username(invisible); // as read from an older row: reachable
            assertThatThrownBy(stored::requireNoLookAlikes).as(invisible).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("invisible or text-direction characters");
        }
        assertThat(new Username("Zo\u00eb \ud83d\udc19").requireNoLookAlikes().value()).isEqualTo("Zo\u00eb \ud83d\udc19");
    }

    @Test
    void aDepositMustBePositiveAndMustNotOverflow() {
        Account account = new Account(new AccountId(1), new Username("a"), Money.of("1"), 3);
        assertThat(account.deposit(Money.of("2")).balance()).isEqualTo(Money.of("3"));
        assertThat(account.deposit(Money.of("2")).version()).isEqualTo(4);
        assertThatThrownBy(() -> account.deposit(Money.ZERO)).isInstanceOf(InvalidAmountException.class);
        Account full = new Account(new AccountId(1), new Username("a"), new Money(Money.MAX), 0);
        assertThatThrownBy(() -> full.deposit(Money.of("0.01"))).isInstanceOf(InvalidAmountException.class)
                .hasMessageContaining("exceed");
    }

    @Test
    void idsArePositive() {
        assertThatThrownBy(() -> new AccountId(0)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> AccountId.parse("x")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> VerFactId.parse("-3")).isInstanceOf(InvalidInputException.class);
        assertThat(VerFactId.parse(" 42 ")).isEqualTo(new VerFactId(42));
    }

    @Test
    void usernamesAreCleanText() {
        assertThat(new Username("Zoë 🐙").value()).isEqualTo("Zoë 🐙");
        assertThatThrownBy(() -> new Username(" padded")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new Username("a\u0000b")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new Username("x".repeat(65))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new Username("\ud800")).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void processingIsATransitionThatHappensOnce() {
        VerFact fresh = new VerFact(new VerFactId(1), VerFactState.INSERTED, false, 1);
        VerFact done = fresh.process();
        assertThat(done.processed()).isTrue();
        assertThat(done.version()).isEqualTo(2);
        assertThat(done.process()).isSameAs(done);
        assertThat(new Updated<>(fresh, done).changed()).isTrue();
        assertThat(new Updated<>(done, done.process()).changed()).isFalse();
    }

    @Test
    void lockIdsAndTermsAreValidated() {
        assertThat(new LockId("報告-🔒").value()).isEqualTo("報告-🔒");
        assertThatThrownBy(() -> new LockId("")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new LockId("a\nb")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new LockId("x".repeat(201))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> LeaseTerms.tryOnce(Duration.ofMillis(99))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> LeaseTerms.tryOnce(Duration.ofDays(2))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> LeaseTerms.tryOnce(Duration.ofSeconds(3)).renewingEvery(Duration.ofSeconds(4)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("shorter than the ttl");
        assertThatThrownBy(() -> LeaseTerms.tryOnce(Duration.ofSeconds(3)).waitingUpTo(Duration.ofMillis(-1)))
                .isInstanceOf(InvalidInputException.class);
        LeaseTerms terms = LeaseTerms.tryOnce(Duration.ofSeconds(30)).waitingUpTo(Duration.ofMinutes(1));
        assertThat(terms.renewEvery()).isEqualTo(Duration.ofSeconds(10));
        assertThat(terms.waits()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x\"; drop table account; --", "1abc", "", "a b", "a.b", "ä", "averyveryveryveryveryveryveryveryverylongname_over48"})
    void leaseTableNamesMustBePlainIdentifiers(String name) {
        assertThatThrownBy(() -> new LeaseTable("public", name)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new LeaseTable(name, "locks")).isInstanceOf(InvalidInputException.class);
    }
}
