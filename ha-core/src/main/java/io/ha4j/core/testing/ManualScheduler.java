package io.ha4j.core.testing;

import io.ha4j.core.Clock;
import io.ha4j.core.ScheduledTask;
import io.ha4j.core.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} and {@link Clock} whose time moves only when {@link #advance(Duration)} is called.
 * Due tasks run on the thread that advances time, in deadline order (ties in submission order), and a
 * task scheduled by a running task for a deadline inside the advanced window runs in the same call. Time
 * starts at one millisecond so that "0" is never a valid timestamp.
 *
 * <p>Thread-safe: other threads (a health check completing on a real socket, say) may submit tasks; they
 * run at the next {@link #advance} or {@link #runDueTasks()}.
 */
public final class ManualScheduler implements Scheduler, Clock {

    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long now = 1_000_000L;
    private long sequence;
    private Thread runningThread;

    @Override
    public Clock clock() {
        return this;
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized ScheduledTask schedule(Runnable task, long delayNanos) {
        Entry entry = new Entry(now + Math.max(0L, delayNanos), sequence++, task);
        queue.add(entry);
        return () -> {
            synchronized (ManualScheduler.this) {
                return queue.remove(entry);
            }
        };
    }

    @Override
    public synchronized boolean inSchedulerThread() {
        return runningThread == Thread.currentThread();
    }

    /** Moves time forward by {@code delta}, running every task that falls due on the way. */
    public void advance(Duration delta) {
        advanceNanos(delta.toNanos());
    }

    /** Moves time forward by {@code deltaNanos}, running every task that falls due on the way. */
    public void advanceNanos(long deltaNanos) {
        if (deltaNanos < 0) {
            throw new IllegalArgumentException("time cannot go backwards: " + deltaNanos);
        }
        long target;
        synchronized (this) {
            target = now + deltaNanos;
        }
        while (true) {
            Entry next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.deadline > target) {
                    now = target;
                    return;
                }
                queue.poll();
                now = Math.max(now, next.deadline);
            }
            run(next.task);
        }
    }

    /** Runs the tasks already due at the current time, without moving time. */
    public void runDueTasks() {
        advanceNanos(0L);
    }

    /** Time until the earliest pending task, or -1 if none is pending. */
    public synchronized long nanosUntilNextTask() {
        Entry next = queue.peek();
        return next == null ? -1L : Math.max(0L, next.deadline - now);
    }

    /** Number of tasks not yet run. */
    public synchronized int pendingTasks() {
        return queue.size();
    }

    private void run(Runnable task) {
        Thread previous;
        synchronized (this) {
            previous = runningThread;
            runningThread = Thread.currentThread();
        }
        try {
            task.run();
        } finally {
            synchronized (this) {
                runningThread = previous;
            }
        }
    }

    private static final class Entry implements Comparable<Entry> {
        final long deadline;
        final long seq;
        final Runnable task;

        Entry(long deadline, long seq, Runnable task) {
            this.deadline = deadline;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Entry other) {
            int byDeadline = Long.compare(deadline, other.deadline);
            return byDeadline != 0 ? byDeadline : Long.compare(seq, other.seq);
        }
    }
}
