package io.ha4j.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The result of one run of a {@link HealthCheck}: passed or not, why (in words, e.g. {@code "HTTP 500"} or
 * {@code "connect refused"}), and how long it took. A timed-out check is a failure with
 * {@link #timedOut()} set.
 */
public final class CheckResult {

    private final boolean passed;
    private final boolean timedOut;
    private final String reason;
    private final Duration duration;

    private CheckResult(boolean passed, boolean timedOut, String reason, Duration duration) {
        this.passed = passed;
        this.timedOut = timedOut;
        this.reason = Objects.requireNonNull(reason, "reason");
        this.duration = Objects.requireNonNull(duration, "duration");
    }

    public static CheckResult passed(String reason) {
        return new CheckResult(true, false, reason, Duration.ZERO);
    }

    public static CheckResult failed(String reason) {
        return new CheckResult(false, false, reason, Duration.ZERO);
    }

    public static CheckResult timedOut(Duration timeout) {
        return new CheckResult(false, true, "timeout after " + io.ha4j.core.internal.Validation.format(timeout), timeout);
    }

    /** A timeout with a reason that says where it happened, e.g. {@code "timeout after 5s during TLS handshake"}. */
    public static CheckResult timedOut(String reason) {
        return new CheckResult(false, true, reason, Duration.ZERO);
    }

    /** The same result with the duration the checker measured. */
    public CheckResult withDuration(Duration measured) {
        return new CheckResult(passed, timedOut, reason, measured);
    }

    public boolean isPassed() {
        return passed;
    }

    public boolean timedOut() {
        return timedOut;
    }

    public String reason() {
        return reason;
    }

    public Duration duration() {
        return duration;
    }

    @Override
    public String toString() {
        return (passed ? "passed" : "failed") + " in " + duration.toMillis() + " ms: " + reason;
    }
}
