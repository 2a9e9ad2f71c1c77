package io.ha4j.vrrp.testing;

import io.ha4j.core.Clock;
import io.ha4j.core.ScheduledTask;
import io.ha4j.core.Scheduler;
import java.util.ArrayList;
import java.util.List;

/**
 * One simulated router's view of the LAN's scheduler: while paused, tasks that fall due are held back and run, in
 * order, when it resumes (a GC or scheduling pause); once crashed, nothing runs any more.
 */
final class PausableScheduler implements Scheduler {

    private final Scheduler shared;
    private final List<Task> held = new ArrayList<>();
    private boolean paused;
    private boolean crashed;

    PausableScheduler(Scheduler shared) {
        this.shared = shared;
    }

    @Override
    public Clock clock() {
        return shared.clock();
    }

    @Override
    public ScheduledTask schedule(Runnable task, long delayNanos) {
        Task t = new Task(task);
        synchronized (this) {
            if (crashed) {
                return () -> false;
            }
        }
        t.handle = shared.schedule(() -> fire(t), delayNanos);
        return t::cancel;
    }

    @Override
    public boolean inSchedulerThread() {
        return shared.inSchedulerThread();
    }

    synchronized void pause() {
        paused = true;
    }

    void resume() {
        List<Task> due;
        synchronized (this) {
            paused = false;
            due = new ArrayList<>(held);
            held.clear();
        }
        for (Task t : due) {
            shared.execute(() -> fire(t));
        }
    }

    synchronized void crash() {
        crashed = true;
        held.clear();
    }

    synchronized boolean isPaused() {
        return paused;
    }

    synchronized boolean isCrashed() {
        return crashed;
    }

    private void fire(Task t) {
        synchronized (this) {
            if (crashed || t.cancelled) {
                return;
            }
            if (paused) {
                held.add(t);
                return;
            }
            t.cancelled = true;
        }
        t.task.run();
    }

    private final class Task {
        final Runnable task;
        ScheduledTask handle;
        boolean cancelled;

        Task(Runnable task) {
            this.task = task;
        }

        boolean cancel() {
            synchronized (PausableScheduler.this) {
                if (cancelled) {
                    return false;
                }
                cancelled = true;
                held.remove(this);
            }
            handle.cancel();
            return true;
        }
    }
}
