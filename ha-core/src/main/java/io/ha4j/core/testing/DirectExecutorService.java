package io.ha4j.core.testing;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An {@link java.util.concurrent.ExecutorService} that runs each task on the submitting thread, before
 * {@code submit} returns. Given to {@link io.ha4j.core.ComponentContext.Builder#blockingExecutor} together with
 * a {@link ManualScheduler}, it makes a {@link io.ha4j.core.HealthChecker} fully deterministic: a check runs
 * inside the scheduler task that starts it, and its result is applied by the next task at the same instant.
 *
 * <p>Tasks cannot be interrupted from outside (they run on the caller's thread), so do not use it for checks
 * that rely on the checker's watchdog to stop them.
 */
public final class DirectExecutorService extends AbstractExecutorService {

    private volatile boolean shutdown;

    @Override
    public void execute(Runnable command) {
        if (shutdown) {
            throw new RejectedExecutionException("executor is shut down");
        }
        command.run();
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutdown;
    }
}
