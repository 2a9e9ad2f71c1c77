package io.ha4j.core;

import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on one dedicated daemon platform thread, reading the {@linkplain Clock#system()
 * system clock}. A task that throws is logged and does not stop the thread.
 *
 * <p>Platform, not virtual: VRRP timers must not wait behind a carrier thread pinned by someone else's
 * work (a late wake-up longer than {@code Master_Down_Interval - Advert_Interval} causes split brain).
 */
public final class SystemScheduler implements Scheduler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SystemScheduler.class);

    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    SystemScheduler(String threadName) {
        Objects.requireNonNull(threadName, "threadName");
        this.executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, threadName);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.prestartCoreThread();
    }

    @Override
    public Clock clock() {
        return Clock.system();
    }

    @Override
    public ScheduledTask schedule(Runnable task, long delayNanos) {
        Objects.requireNonNull(task, "task");
        ScheduledFuture<?> future;
        try {
            future = executor.schedule(() -> runContained(task), Math.max(0L, delayNanos), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return () -> false;
        }
        return () -> future.cancel(false);
    }

    @Override
    public boolean inSchedulerThread() {
        return Thread.currentThread() == thread;
    }

    private static void runContained(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            LOG.error("Scheduled task {} threw", task, t);
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return executor.isShutdown();
    }

    /**
     * Stops the thread, dropping pending tasks, and waits up to five seconds for a running task to end.
     * Idempotent. Called from a task of this scheduler it does not wait for itself.
     */
    @Override
    public void close() {
        executor.shutdownNow();
        if (inSchedulerThread()) {
            return;
        }
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Scheduler thread {} did not stop within 5 s", thread);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
