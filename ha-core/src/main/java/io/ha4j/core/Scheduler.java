package io.ha4j.core;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The timer seam: runs tasks after a delay measured on {@link #clock()}. Tasks given to one scheduler run
 * one at a time, in deadline order (ties in submission order), so that state owned by a component that
 * only touches it from scheduler tasks needs no locking.
 *
 * <p>Two implementations ship: {@link #newSingleThread(String)} (a dedicated platform thread) and
 * {@link io.ha4j.core.testing.ManualScheduler} (time moves only when a test says so).
 */
public interface Scheduler extends Executor {

    /** The clock deadlines are measured on. */
    Clock clock();

    /**
     * Runs {@code task} once {@code delayNanos} have passed on {@link #clock()}. A delay of zero or less
     * runs it as soon as possible, after tasks already due.
     */
    ScheduledTask schedule(Runnable task, long delayNanos);

    /** Same as {@link #schedule(Runnable, long)} with a {@link Duration}. */
    default ScheduledTask schedule(Runnable task, Duration delay) {
        return schedule(task, delay.toNanos());
    }

    /** Runs {@code task} as soon as possible on the scheduler's thread. */
    @Override
    default void execute(Runnable task) {
        schedule(task, 0L);
    }

    /** Whether the caller is running inside one of this scheduler's tasks. */
    boolean inSchedulerThread();

    /**
     * A scheduler backed by one dedicated daemon platform thread on the {@linkplain Clock#system() system
     * clock}. Close it to stop the thread; tasks still pending are dropped.
     */
    static SystemScheduler newSingleThread(String threadName) {
        return new SystemScheduler(threadName);
    }
}
