package dev.lockwise.cli.config;

import dev.lockwise.domain.DurationText;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses human durations: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d}, or ISO-8601 {@code PT30S}. */
public final class Durations {
    private static final Pattern HUMAN = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no duration given");
        }
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher human = HUMAN.matcher(value);
        if (human.matches()) {
            long amount = Long.parseLong(human.group(1));
            return switch (human.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            Duration iso = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            if (iso.isNegative()) {
                throw new IllegalArgumentException("negative duration '" + text + "'");
            }
            return iso;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 500ms, 5s, 2m or 1h");
        }
    }

    public static String format(Duration duration) {
        return DurationText.show(duration);
    }
}
