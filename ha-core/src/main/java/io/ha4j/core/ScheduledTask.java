package io.ha4j.core;

/** A handle on a task given to {@link Scheduler#schedule}. */
public interface ScheduledTask {

    /**
     * Cancels the task if it has not started yet.
     *
     * @return {@code true} if this call prevented the task from running
     */
    boolean cancel();
}
