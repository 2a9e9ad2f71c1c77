package io.ha4j.core.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline, the one way every ha4j test waits for something asynchronous to
 * happen. A condition that does not hold by the deadline fails the test with the description and, where
 * given, the last value seen; a condition that holds returns at once. The condition is polled every 10 ms,
 * so a test never sleeps longer than it needs to and never asserts on how long something took.
 *
 * <p>Shipped in ha-core's test jar ({@code <type>test-jar</type>}, test scope), so every module's tests use it.
 */
public final class Await {

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private Await() {
    }

    /** A condition that may throw (a command, a socket read); an exception counts as "not yet". */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Returns as soon as {@code condition} holds; throws {@link AssertionError} naming {@code description}
     * if it still does not hold after {@code max}.
     */
    public static void until(Duration max, String description, BooleanSupplier condition) {
        if (!holdsWithin(max, condition)) {
            throw new AssertionError("not within " + max.toMillis() + " ms: " + description);
        }
    }

    /**
     * As {@link #until(Duration, String, BooleanSupplier)}, with a condition that may throw: the last
     * exception is attached to the failure.
     */
    public static void untilNoThrow(Duration max, String description, Condition condition) {
        Exception[] last = new Exception[1];
        boolean held = holdsWithin(max, () -> {
            try {
                return condition.holds();
            } catch (Exception e) {
                last[0] = e;
                return false;
            }
        });
        if (!held) {
            AssertionError failure = new AssertionError("not within " + max.toMillis() + " ms: " + description);
            if (last[0] != null) {
                failure.initCause(last[0]);
            }
            throw failure;
        }
    }

    /**
     * Returns the first value of {@code value} that {@code accepted} holds for; the failure after {@code max}
     * names {@code description} and shows the last value seen.
     */
    public static <T> T value(Duration max, String description, Supplier<T> value, java.util.function.Predicate<T> accepted) {
        @SuppressWarnings("unchecked")
        T[] last = (T[]) new Object[1];
        boolean held = holdsWithin(max, () -> {
            last[0] = value.get();
            return accepted.test(last[0]);
        });
        if (!held) {
            throw new AssertionError("not within " + max.toMillis() + " ms: " + description + "; last seen: " + last[0]);
        }
        return last[0];
    }

    /** Whether {@code condition} holds at some point within {@code max} (for tests that branch on it). */
    public static boolean holdsWithin(Duration max, BooleanSupplier condition) {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(POLL_NANOS, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            }
        }
    }

    /**
     * Lets {@code time} pass on purpose, to show that something does NOT happen in it (a timer that must not
     * fire, a peer that must stay quiet). The only fixed wait a test may use; the name says why at the call.
     */
    public static void quietPeriod(Duration time) {
        try {
            TimeUnit.NANOSECONDS.sleep(time.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during a quiet period", e);
        }
    }
}
