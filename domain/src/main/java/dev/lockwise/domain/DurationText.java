package dev.lockwise.domain;

import java.time.Duration;

/** Durations in messages, written the way a user types them: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 9999d}. */
public final class DurationText {
    private static final long SECOND = 1_000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    private DurationText() {
    }

    /**
     * @param duration the duration; null is shown as {@code null}
     * @return it in the largest whole unit that writes it exactly, such as {@code 1500ms} or {@code 2m};
     *         sub-millisecond parts are dropped
     */
    public static String show(Duration duration) {
        if (duration == null) {
            return "null";
        }
        long millis = duration.toMillis();
        String sign = millis < 0 ? "-" : "";
        long magnitude = Math.abs(millis);
        if (magnitude == 0) {
            return "0ms";
        }
        if (magnitude % DAY == 0) {
            return sign + magnitude / DAY + "d";
        }
        if (magnitude % HOUR == 0) {
            return sign + magnitude / HOUR + "h";
        }
        if (magnitude % MINUTE == 0) {
            return sign + magnitude / MINUTE + "m";
        }
        if (magnitude % SECOND == 0) {
            return sign + magnitude / SECOND + "s";
        }
        return sign + magnitude + "ms";
    }
}
