package io.ha4j.examples.agent;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Number, duration and address parsing for both parsers. A bad value is an error naming the file, line,
 * keyword and the allowed range, and the method returns empty so the parser can go on and report more.
 */
final class Values {

    /** No valid number is longer; a longer word is refused before it reaches {@link BigDecimal}. */
    private static final int MAX_NUMBER_CHARS = 40;

    private static final Pattern HAPROXY_TIME = Pattern.compile("(\\d+)(us|ms|s|m|h|d)?");

    private final Diagnostics diagnostics;

    Values(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    OptionalInt integer(Origin at, String keyword, String text, int min, int max) {
        try {
            long v = Long.parseLong(text);
            if (v >= min && v <= max) {
                return OptionalInt.of((int) v);
            }
        } catch (NumberFormatException e) {
            // reported below with the range
        }
        diagnostics.error(at.file(), at.line(), keyword, "must be an integer in [" + min + ", " + max + "], was " + shown(text));
        return OptionalInt.empty();
    }

    /**
     * keepalived seconds: a decimal number of seconds ({@code 1}, {@code 0.5}), at most microsecond
     * resolution, in {@code [min, max]}.
     */
    Optional<Duration> seconds(Origin at, String keyword, String text, Duration min, Duration max) {
        try {
            if (text.length() > MAX_NUMBER_CHARS) {
                throw new NumberFormatException("too long"); // BigDecimal parses a million digits in quadratic time
            }
            BigDecimal seconds = new BigDecimal(text);
            if (seconds.scale() <= 6) {
                Duration d = Duration.ofNanos(seconds.movePointRight(9).longValueExact());
                if (d.compareTo(min) >= 0 && d.compareTo(max) <= 0) {
                    return Optional.of(d);
                }
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // reported below with the range
        }
        diagnostics.error(at.file(), at.line(), keyword, "must be a number of seconds in [" + seconds(min) + ", "
                + seconds(max) + "], was " + shown(text));
        return Optional.empty();
    }

    /**
     * HAProxy time: an integer with an optional unit {@code us ms s m h d}; without a unit, milliseconds. In
     * {@code [min, max]}.
     */
    Optional<Duration> haproxyTime(Origin at, String keyword, String text, Duration min, Duration max) {
        Matcher m = HAPROXY_TIME.matcher(text.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "ms" : m.group(2);
                Duration d = switch (unit) {
                    case "us" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                if (d.compareTo(min) >= 0 && d.compareTo(max) <= 0) {
                    return Optional.of(d);
                }
            } catch (NumberFormatException | ArithmeticException e) {
                // reported below with the range
            }
        }
        diagnostics.error(at.file(), at.line(), keyword, "must be a time (a number, default unit ms, or with us/ms/s/m/h/d) in ["
                + io.ha4j.core.internal.Validation.format(min) + ", " + io.ha4j.core.internal.Validation.format(max)
                + "], was " + shown(text));
        return Optional.empty();
    }

    /** An IP address literal (never a DNS lookup). */
    Optional<InetAddress> address(Origin at, String keyword, String text) {
        try {
            return Optional.of(io.ha4j.core.VirtualAddress.parseLiteral(text));
        } catch (IllegalArgumentException e) {
            // reported below
        }
        diagnostics.error(at.file(), at.line(), keyword, "must be an IPv4 or IPv6 address, was " + shown(text));
        return Optional.empty();
    }

    /** A bad value as an error quotes it: cut when long, with a hint when it looks like a template placeholder. */
    static String shown(String text) {
        return "'" + Diagnostic.shorten(text, Diagnostic.MAX_KEYWORD_CHARS) + "'" + placeholderHint(text);
    }

    static String placeholderHint(String text) {
        return text.contains("${") || text.contains("<") ? " (an unfilled template placeholder?)" : "";
    }

    static String seconds(Duration d) {
        return new BigDecimal(d.toNanos()).movePointLeft(9).stripTrailingZeros().toPlainString() + "s";
    }
}
