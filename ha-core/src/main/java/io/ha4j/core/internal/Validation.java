package io.ha4j.core.internal;

import java.time.Duration;

/**
 * Builder validation with messages that name the option and its allowed range, e.g.
 * {@code "rise must be in [1, 1000], was 0"}.
 */
public final class Validation {

    private Validation() {
    }

    public static int inRange(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be in [" + min + ", " + max + "], was " + value);
        }
        return value;
    }

    public static long inRange(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be in [" + min + ", " + max + "], was " + value);
        }
        return value;
    }

    public static Duration inRange(String option, Duration value, Duration min, Duration max) {
        notNull(option, value);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(
                    option + " must be in [" + format(min) + ", " + format(max) + "], was " + format(value));
        }
        return value;
    }

    public static <T> T notNull(String option, T value) {
        if (value == null) {
            throw new NullPointerException(option + " must not be null");
        }
        return value;
    }

    /**
     * A required option that was never set: the one rule for every ha4j builder is an
     * {@link IllegalStateException} at {@code build()} that names the option, e.g.
     * {@code "virtualRouterId must be set (in [1, 255])"}.
     */
    public static <T> T required(String option, T value, String allowed) {
        if (value == null) {
            throw new IllegalStateException(option + " must be set" + (allowed.isEmpty() ? "" : " (" + allowed + ")"));
        }
        return value;
    }

    /** Set-once options (Caffeine's builder rule): a second call is a programming error. */
    public static void setOnce(String option, Object current) {
        if (current != null) {
            throw new IllegalStateException(option + " was already set to " + current);
        }
    }

    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        long ms = d.toMillis();
        if (d.toNanos() % 1_000_000L != 0) {
            return d.toNanos() + "ns";
        }
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        return (ms / 1000) + "s";
    }
}
