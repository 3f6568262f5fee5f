package dev.lockwise.domain;

import dev.lockwise.domain.account.AccountId;
import dev.lockwise.domain.account.DepositReceipt;
import dev.lockwise.domain.account.Money;
import dev.lockwise.domain.account.RequestId;
import dev.lockwise.domain.account.RequestIdConflictException;
import dev.lockwise.domain.account.Username;
import dev.lockwise.domain.lease.Lease;
import dev.lockwise.domain.lease.LeaseLostException;
import dev.lockwise.domain.lease.LeaseTable;
import dev.lockwise.domain.lease.LeaseTerms;
import dev.lockwise.domain.lease.LockId;
import dev.lockwise.domain.schedule.RunOutcome;
import dev.lockwise.domain.schedule.ScheduledRun;
import dev.lockwise.domain.schedule.SlotSchedule;
import dev.lockwise.domain.verfact.VerFactId;
import dev.lockwise.domain.verfact.VerFactState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every bound of the value objects, at the bound and one step past it, with the exact message a caller sees. */
class DomainBoundariesTest {
    @Test
    void durationsAreShownInTheLargestWholeUnit() {
        assertThat(DurationText.show(null)).isEqualTo("null");
        assertThat(DurationText.show(Duration.ZERO)).isEqualTo("0ms");
        assertThat(DurationText.show(Duration.ofNanos(999_999))).isEqualTo("0ms");
        assertThat(DurationText.show(Duration.ofDays(2))).isEqualTo("2d");
        assertThat(DurationText.show(Duration.ofHours(25))).isEqualTo("25h");
        assertThat(DurationText.show(Duration.ofHours(3))).isEqualTo("3h");
        assertThat(DurationText.show(Duration.ofMinutes(61))).isEqualTo("61m");
        assertThat(DurationText.show(Duration.ofMinutes(7))).isEqualTo("7m");
        assertThat(DurationText.show(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(DurationText.show(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(DurationText.show(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(DurationText.show(Duration.ofMillis(1))).isEqualTo("1ms");
        assertThat(DurationText.show(Duration.ofHours(-2))).isEqualTo("-2h");
        assertThat(DurationText.show(Duration.ofDays(-1))).isEqualTo("-1d");
        assertThat(DurationText.show(Duration.ofMinutes(-3))).isEqualTo("-3m");
        assertThat(DurationText.show(Duration.ofSeconds(-4))).isEqualTo("-4s");
        assertThat(DurationText.show(Duration.ofMillis(-1500))).isEqualTo("-1500ms");
    }

    /** Default-ignorable code points at both ends of every range the rule lists. */
    @ParameterizedTest
    @ValueSource(ints = {0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180D, 0x180F, 0x200B,
            0x200F, 0x202A, 0x202E, 0x2060, 0x206F, 0x3164, 0xFE00, 0xFE0F, 0xFEFF, 0xFFA0, 0xFFF0, 0xFFF8, 0x1BCA0,
            0x1BCA3, 0x1D173, 0x1D17A, 0xE0000, 0xE0100, 0xE0FFF})
    void aNewNameWithAnInvisibleCharacterIsRefused(int codePoint) {
        Username name = new Username("a" + Character.toString(codePoint) + "b");
        assertThatThrownBy(name::requireNoLookAlikes).isInstanceOf(InvalidInputException.class)
                .hasMessage(String.format("username must not contain invisible or text-direction characters, found"
                        + " U+%04X", codePoint));
    }

    /** The visible neighbours just outside those ranges. */
    @ParameterizedTest
    @ValueSource(ints = {0x00AC, 0x034E, 0x0620, 0x115E, 0x17B3, 0x17B6, 0x180A, 0x1810, 0x3163, 0x3165, 0xFDFC,
            0xFE10, 0xFF9F, 0xFFA1, 0xFFEE, 0xFFFC, 0x1BC9F, 0x1D172, 0x1D17B, 0xDFFFD, 0xE1000})
    void aNameWithAVisibleNeighbourIsAccepted(int codePoint) {
        Username name = new Username("a" + Character.toString(codePoint) + "b");
        assertThat(name.requireNoLookAlikes()).isSameAs(name);
        assertThat(name).hasToString(name.value());
    }

    @Test
    void namesAndIdsHaveTheirLengthBounds() {
        assertThat(new Username("x".repeat(64)).value()).hasSize(64);
        assertThatThrownBy(() -> new Username("x".repeat(65)))
                .hasMessage("username must be at most 64 characters, got 65");
        assertThat(new RequestId("r".repeat(100))).hasToString("r".repeat(100));
        assertThatThrownBy(() -> new RequestId("r".repeat(101)))
                .hasMessage("request id must be at most 100 characters, got 101");
        // 100 code points, but 200 UTF-16 units: refused by the second rule
        assertThatThrownBy(() -> new RequestId("\uD83D\uDE00".repeat(100)))
                .hasMessage("request id must be at most 100 UTF-16 units long");
        assertThat(new RequestId("\uD83D\uDE00".repeat(50)).value()).hasSize(100);
        assertThatThrownBy(() -> new Username("a\u0001b")).hasMessage("username must not contain control characters");
        assertThatThrownBy(() -> new Username("a\uD800b")).hasMessage("username is not valid Unicode (unpaired surrogate)");
        assertThatThrownBy(() -> new Username("a\uDFFFb")).hasMessage("username is not valid Unicode (unpaired surrogate)");
        assertThat(new Username("a\uD7FFb").value()).hasSize(3);
        assertThatThrownBy(() -> new Username(" ")).hasMessage("username must not be blank");
    }

    @Test
    void idsArePositiveAndParsedFromText() {
        assertThat(new VerFactId(1).value()).isEqualTo(1);
        assertThatThrownBy(() -> new VerFactId(0)).hasMessage("verfact id must be a positive number, got 0");
        assertThat(VerFactId.parse(" 7 ")).isEqualTo(new VerFactId(7)).hasToString("7");
        assertThatThrownBy(() -> VerFactId.parse("x")).hasMessage("verfact id must be a positive number, got 'x'");
        assertThat(AccountId.parse(" 12 ")).isEqualTo(new AccountId(12)).hasToString("12");
        assertThatThrownBy(() -> AccountId.parse(null)).hasMessage("account id must be a positive number, got 'null'");
        assertThat(new LockId("job")).hasToString("job");
    }

    @Test
    void moneyIsBoundedAtItsMaximumAndAddsUpToIt() {
        Money max = new Money(Money.MAX);
        assertThat(Money.ZERO.plus(max)).isEqualTo(max);
        assertThatThrownBy(() -> max.plus(Money.of("0.01")))
                .hasMessage("adding 0.01 to 99999999999999999.99 would exceed the maximum balance 99999999999999999.99");
        assertThatThrownBy(() -> new Money(new BigDecimal("100000000000000000.00"))).isInstanceOf(InvalidAmountException.class);
        assertThat(new Money(new BigDecimal("1.230")).amount()).isEqualByComparingTo("1.23");
        assertThat(new Money(new BigDecimal("0.00")).amount()).as("zero is a valid amount").isZero();
        assertThatThrownBy(() -> new Money(new BigDecimal("-0.01"))).hasMessage("amount must not be negative, got -0.01");
        assertThat(Money.of("1").compareTo(Money.of("2"))).isNegative();
        assertThat(Money.of("2").compareTo(Money.of("1"))).isPositive();
        assertThat(Money.of("2").compareTo(Money.of("2.00"))).isZero();
    }

    @Test
    void aReceiptReplaysOnlyForTheSameAccountAndAmount() {
        RequestId request = new RequestId("r-1");
        DepositReceipt receipt = new DepositReceipt(request, new AccountId(1), Money.of("5"), Money.of("15"), 3, false);
        assertThat(receipt.matches(new AccountId(1), Money.of("5"))).isTrue();
        assertThat(receipt.matches(new AccountId(2), Money.of("5"))).isFalse();
        assertThat(receipt.matches(new AccountId(1), Money.of("6"))).isFalse();
        DepositReceipt replay = receipt.replayFor(new AccountId(1), Money.of("5.00"));
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.balanceAfter()).isEqualTo(Money.of("15"));
        assertThat(replay.versionAfter()).isEqualTo(3);
        assertThatThrownBy(() -> receipt.replayFor(new AccountId(2), Money.of("5")))
                .isInstanceOf(RequestIdConflictException.class)
                .hasMessage("request id 'r-1' was already used for a deposit of 5.00 into account 1; use a new request"
                        + " id for a different deposit");
    }

    @Test
    void leaseTermsHaveTheirBoundsWithTheirMessages() {
        assertThat(LeaseTerms.tryOnce(LeaseTerms.MIN_TTL).ttl()).isEqualTo(Duration.ofMillis(100));
        assertThat(LeaseTerms.tryOnce(LeaseTerms.MAX_TTL).ttl()).isEqualTo(Duration.ofDays(1));
        assertThatThrownBy(() -> LeaseTerms.tryOnce(Duration.ofMillis(99)))
                .hasMessage("lease ttl must be at least 100ms, got 99ms");
        assertThatThrownBy(() -> LeaseTerms.tryOnce(Duration.ofDays(1).plusMillis(1)))
                .hasMessage("lease ttl must be at most 1d, got 86400001ms");
        LeaseTerms tenSeconds = LeaseTerms.tryOnce(Duration.ofSeconds(10));
        assertThatThrownBy(() -> tenSeconds.renewingEvery(Duration.ZERO)).hasMessage("renew interval must be positive, got 0ms");
        assertThatThrownBy(() -> tenSeconds.renewingEvery(Duration.ofSeconds(10)))
                .hasMessage("renew interval (10s) must be shorter than the ttl (10s)");
        assertThat(tenSeconds.renewingEvery(Duration.ofMillis(8999)).renewEvery()).isEqualTo(Duration.ofMillis(8999));
        assertThatThrownBy(() -> tenSeconds.renewingEvery(Duration.ofSeconds(9)))
                .hasMessageStartingWith("renew interval (9s) plus safety margin (1s) must be shorter than the ttl (10s)");
        assertThat(tenSeconds.waitingUpTo(LeaseTerms.MAX_WAIT).waitUpTo()).isEqualTo(Duration.ofDays(1));
        assertThat(tenSeconds.waitingUpTo(Duration.ZERO).waits()).isFalse();
        assertThat(tenSeconds.waitingUpTo(Duration.ofMillis(1)).waits()).isTrue();
        assertThatThrownBy(() -> tenSeconds.waitingUpTo(Duration.ofDays(1).plusMillis(1)))
                .hasMessage("wait must be between 0 and 1d, got 86400001ms");
        assertThat(tenSeconds.withMargin(LeaseTerms.MIN_MARGIN).margin()).isEqualTo(Duration.ofMillis(10));
        assertThatThrownBy(() -> tenSeconds.withMargin(Duration.ofMillis(9)))
                .hasMessage("lease safety margin must be at least 10ms, got 9ms");
        assertThat(tenSeconds.validity()).isEqualTo(Duration.ofSeconds(9));
        assertThat(tenSeconds.holdingAtLeast(Duration.ofSeconds(10)).holdAtLeast()).isEqualTo(Duration.ofSeconds(10));
        assertThat(tenSeconds.holdingAtLeast(Duration.ZERO).holdAtLeast()).isZero();
        assertThatThrownBy(() -> tenSeconds.holdingAtLeast(Duration.ofMillis(10_001)))
                .hasMessage("hold-at-least must be between 0 and the ttl (10s), got 10001ms; raise the ttl to hold the"
                        + " lease longer");
        assertThatThrownBy(() -> tenSeconds.holdingAtLeast(Duration.ofMillis(-1))).isInstanceOf(InvalidInputException.class);
        assertThat(LeaseTerms.defaultMargin(Duration.ofMillis(200))).isEqualTo(Duration.ofMillis(20));
        assertThat(LeaseTerms.defaultMargin(Duration.ofMillis(199))).isEqualTo(Duration.ofMillis(20));
        assertThat(LeaseTerms.defaultMargin(Duration.ofMillis(210))).isEqualTo(Duration.ofMillis(21));
    }

    @Test
    void slotSchedulesHaveTheirBoundsWithTheirMessages() {
        assertThat(SlotSchedule.every(SlotSchedule.MIN_PERIOD).period()).isEqualTo(Duration.ofSeconds(1));
        assertThat(SlotSchedule.every(SlotSchedule.MAX_PERIOD).period()).isEqualTo(Duration.ofDays(366));
        assertThatThrownBy(() -> SlotSchedule.every(Duration.ofMillis(999)))
                .hasMessage("slot period must be between 1s and 366d, got 999ms");
        assertThatThrownBy(() -> SlotSchedule.every(Duration.ofDays(366).plusMillis(1)))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> SlotSchedule.every(Duration.ofSeconds(1).plusNanos(1)))
                .hasMessage("slot period and offset must be whole milliseconds, got 1s and 0ms");
        assertThatThrownBy(() -> SlotSchedule.every(Duration.ofHours(1)).withOffset(Duration.ofNanos(1)))
                .hasMessageStartingWith("slot period and offset must be whole milliseconds");
        SlotSchedule hourly = SlotSchedule.every(Duration.ofHours(1));
        assertThat(hourly.offset()).isZero();
        assertThat(hourly.retryFailed()).isFalse();
        assertThat(hourly.withOffset(Duration.ofMillis(3_599_999)).offset()).isEqualTo(Duration.ofMillis(3_599_999));
        assertThat(hourly.withOffset(Duration.ZERO).offset()).isZero();
        assertThatThrownBy(() -> hourly.withOffset(Duration.ofHours(1)))
                .hasMessage("slot offset must be at least 0 and shorter than the period (1h), got 1h");
        assertThatThrownBy(() -> hourly.withOffset(Duration.ofMillis(-1))).isInstanceOf(InvalidInputException.class);
        assertThat(hourly.retryingFailedRuns(true).retryFailed()).isTrue();
        assertThat(hourly.retryingFailedRuns(true).period()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void labelsAndCodesRoundTrip() {
        for (Strategy strategy : Strategy.values()) {
            assertThat(Strategy.parse(" " + strategy.label().toUpperCase() + " ")).isEqualTo(strategy);
        }
        assertThat(Strategy.OPTIMISTIC.label()).isEqualTo("optimistic");
        assertThat(Strategy.choices()).isEqualTo("optimistic, pessimistic, adaptive, batched");
        assertThatThrownBy(() -> Strategy.parse(null)).hasMessage("unknown strategy 'null'; valid choices: optimistic,"
                + " pessimistic, adaptive, batched");
        for (RunOutcome outcome : RunOutcome.values()) {
            assertThat(RunOutcome.fromLabel(outcome.label())).isEqualTo(outcome);
        }
        assertThat(RunOutcome.SUCCEEDED.label()).isEqualTo("succeeded");
        assertThat(VerFactState.ofCode("I")).isEqualTo(VerFactState.INSERTED);
        assertThat(VerFactState.ofCode("P")).isEqualTo(VerFactState.PROCESSED);
        assertThat(VerFactState.PROCESSED.code()).isEqualTo('P');
        for (String bad : new String[] {null, "", "PP", "X"}) {
            assertThatThrownBy(() -> VerFactState.ofCode(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("unknown verfact state '" + bad + "'");
        }
    }

    @Test
    void leasesRunsAndFailuresCarryWhatTheySay() {
        Lease lease = new Lease(new LockId("job"), 1, Instant.EPOCH);
        assertThat(lease.fencingToken()).isEqualTo(1);
        assertThatThrownBy(() -> new Lease(new LockId("job"), 0, Instant.EPOCH))
                .hasMessage("generation must be positive, got 0");
        LeaseLostException lost = new LeaseLostException(lease, "taken over", null);
        assertThat(lost.lease()).isSameAs(lease);
        assertThat(lost).hasMessage("lease on 'job' (generation 1) was lost: taken over");
        RetriesExhaustedException exhausted = new RetriesExhaustedException("deposit", 4, null);
        assertThat(exhausted.attempts()).isEqualTo(4);
        ScheduledRun running = new ScheduledRun(new LockId("job"), Instant.EPOCH, Instant.EPOCH.plusSeconds(60), 1,
                "me", Instant.EPOCH, null, RunOutcome.RUNNING, null);
        assertThat(running.ended()).isEmpty();
        assertThat(running.exit()).isEqualTo(OptionalInt.empty());
        ScheduledRun ended = new ScheduledRun(new LockId("job"), Instant.EPOCH, Instant.EPOCH.plusSeconds(60), 1,
                "me", Instant.EPOCH, Instant.EPOCH.plusSeconds(2), RunOutcome.FAILED, 3);
        assertThat(ended.ended()).contains(Instant.EPOCH.plusSeconds(2));
        assertThat(ended.exit()).isEqualTo(OptionalInt.of(3));
        assertThat(new LeaseTable("public", "locks")).hasToString("public.locks");
        assertThat(new LeaseTable("s", "a".repeat(48)).table()).hasSize(48);
        assertThatThrownBy(() -> new LeaseTable("s", "a".repeat(49))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new LeaseTable(null, "t")).hasMessage("lease table schema must be an SQL identifier"
                + " (letters, digits and _, not starting with a digit, at most 48 characters), got 'null'");
    }
}
