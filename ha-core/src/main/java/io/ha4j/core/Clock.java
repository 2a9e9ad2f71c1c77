package io.ha4j.core;

/**
 * A monotonic time source in nanoseconds. Every timer in ha4j reads time through a {@code Clock}, never
 * from {@link System#nanoTime()} directly, so that tests can step time by hand
 * ({@link io.ha4j.core.testing.ManualScheduler}).
 *
 * <p>Values are only meaningful relative to each other (like {@code System.nanoTime()}).
 */
@FunctionalInterface
public interface Clock {

    /** The current monotonic time in nanoseconds. */
    long nanoTime();

    /** The system's monotonic clock; the only place in ha4j that reads {@link System#nanoTime()}. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
