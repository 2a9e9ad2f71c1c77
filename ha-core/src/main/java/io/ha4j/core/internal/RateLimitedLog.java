package io.ha4j.core.internal;

import io.ha4j.core.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs each distinct key at most once per interval and says how many were suppressed in between (Agrona's
 * {@code DistinctErrorLog} idea). Used for hostile input: bad adverts, failing clients. Counters are kept
 * by the caller; this only keeps the log readable.
 */
public final class RateLimitedLog {

    private final Logger logger;
    private final Clock clock;
    private final long intervalNanos;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public RateLimitedLog(Logger logger, Clock clock, long intervalNanos) {
        this.logger = logger;
        this.clock = clock;
        this.intervalNanos = intervalNanos;
    }

    /** Logs at WARN unless {@code key} was logged less than one interval ago. */
    public void warn(String key, String format, Object... args) {
        long suppressed = admit(key);
        if (suppressed > 0) {
            logger.warn(format + " (" + suppressed + " similar suppressed)", args);
        } else if (suppressed == 0) {
            logger.warn(format, args);
        }
    }

    /**
     * {@link #warn(String, String, Object...)} with one argument and no varargs array, for paths that hostile input
     * can drive at packet rate: a suppressed call allocates nothing.
     */
    public void warn(String key, String format, Object arg) {
        long suppressed = admit(key);
        if (suppressed > 0) {
            logger.warn(format + " (" + suppressed + " similar suppressed)", arg);
        } else if (suppressed == 0) {
            logger.warn(format, arg);
        }
    }

    /** -1 if {@code key} is within its interval (counted as suppressed), else how many were suppressed before. */
    private long admit(String key) {
        Window window = windows.computeIfAbsent(key, k -> new Window());
        long now = clock.nanoTime();
        synchronized (window) {
            if (window.lastLogged != Long.MIN_VALUE && now - window.lastLogged < intervalNanos) {
                window.suppressed.incrementAndGet();
                return -1;
            }
            window.lastLogged = now;
            return window.suppressed.getAndSet(0);
        }
    }

    private static final class Window {
        long lastLogged = Long.MIN_VALUE;
        final AtomicLong suppressed = new AtomicLong();
    }
}
