package io.ha4j.core;

import java.util.Arrays;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on one dedicated daemon platform thread, reading the {@linkplain Clock#system() system
 * clock}. A task that throws is logged and does not stop the thread.
 *
 * <p>Platform, not virtual: VRRP timers must not wait behind a carrier thread pinned by someone else's
 * work (a late wake-up longer than {@code Master_Down_Interval - Advert_Interval} causes split brain).
 *
 * <p><b>Allocation.</b> {@link #execute(Runnable)} allocates nothing in steady state: the task goes into a
 * preallocated ring (grown by doubling when more tasks are waiting than ever before) and the thread is woken with
 * {@link LockSupport#unpark}. So a component that hands the same preallocated task over again and again (the VRRP
 * receive queue's drain task, once per packet that finds the queue empty) costs no garbage per hand-over.
 * {@link #schedule(Runnable, long)} with a positive delay allocates one small entry per timer, which is also its
 * {@link ScheduledTask} handle. (A {@code ScheduledThreadPoolExecutor}, used before, allocates a future and a
 * wrapper for every task, {@code execute} included.)
 */
public final class SystemScheduler implements Scheduler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SystemScheduler.class);
    private static final int INITIAL_RING = 64;
    private static final long JOIN_MILLIS = 5000;
    private static final ScheduledTask NOT_SCHEDULED = () -> false;

    private final Clock clock = Clock.system();
    private final Thread thread;
    private final Object lock = new Object();
    /** Timed tasks in deadline order, ties in submission order. */
    private final PriorityQueue<Timed> timed = new PriorityQueue<>();
    /** Tasks due at once, in submission order: a ring of (task, submission time, sequence). */
    private Runnable[] ringTasks = new Runnable[INITIAL_RING];
    private long[] ringTimes = new long[INITIAL_RING];
    private long[] ringSeqs = new long[INITIAL_RING];
    private int ringHead;
    private int ringSize;
    private long seq;
    private volatile boolean closed;

    SystemScheduler(String threadName) {
        Objects.requireNonNull(threadName, "threadName");
        this.thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public Clock clock() {
        return clock;
    }

    /** Runs {@code task} as soon as possible on the scheduler thread, after tasks already due; allocates nothing. */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (ringSize == ringTasks.length) {
                growRing();
            }
            int slot = (ringHead + ringSize) % ringTasks.length;
            ringTasks[slot] = task;
            ringTimes[slot] = clock.nanoTime();
            ringSeqs[slot] = seq++;
            ringSize++;
        }
        LockSupport.unpark(thread);
    }

    @Override
    public ScheduledTask schedule(Runnable task, long delayNanos) {
        Objects.requireNonNull(task, "task");
        if (delayNanos <= 0) {
            if (closed) {
                return NOT_SCHEDULED;
            }
            execute(task);
            return new ImmediateHandle(task);
        }
        Timed entry;
        synchronized (lock) {
            if (closed) {
                return NOT_SCHEDULED;
            }
            entry = new Timed(clock.nanoTime() + delayNanos, seq++, task);
            timed.add(entry);
        }
        LockSupport.unpark(thread);
        return entry;
    }

    @Override
    public boolean inSchedulerThread() {
        return Thread.currentThread() == thread;
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops the thread, dropping pending tasks, and waits up to five seconds for a running task to end.
     * Idempotent. Called from a task of this scheduler it does not wait for itself.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            timed.clear();
            Arrays.fill(ringTasks, null);
            ringSize = 0;
        }
        LockSupport.unpark(thread);
        if (inSchedulerThread()) {
            return;
        }
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Scheduler thread {} did not stop within 5 s", thread.getName());
        }
    }

    private void loop() {
        while (!closed) {
            Runnable task = null;
            long waitNanos = 0;
            synchronized (lock) {
                long now = clock.nanoTime();
                Timed head = timed.peek();
                boolean timedDue = head != null && head.deadline - now <= 0;
                if (ringSize > 0 && (!timedDue || ringFirst(head))) {
                    task = ringTasks[ringHead];
                    ringTasks[ringHead] = null;
                    ringHead = (ringHead + 1) % ringTasks.length;
                    ringSize--;
                } else if (timedDue) {
                    timed.poll();
                    task = head.task;
                } else {
                    waitNanos = head == null ? Long.MAX_VALUE : head.deadline - now;
                }
            }
            if (task != null) {
                runContained(task);
                Thread.interrupted(); // a task's stray interrupt must not turn the park below into a spin
            } else if (waitNanos == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, waitNanos);
            }
        }
    }

    /** Whether the ring's head goes before the due timed task {@code head} (earlier time, or same time and earlier). */
    private boolean ringFirst(Timed head) {
        long time = ringTimes[ringHead];
        if (time != head.deadline) {
            return time - head.deadline < 0;
        }
        return ringSeqs[ringHead] < head.seq;
    }

    private void growRing() {
        int n = ringTasks.length;
        Runnable[] tasks = new Runnable[n * 2];
        long[] times = new long[n * 2];
        long[] seqs = new long[n * 2];
        for (int i = 0; i < ringSize; i++) {
            int from = (ringHead + i) % n;
            tasks[i] = ringTasks[from];
            times[i] = ringTimes[from];
            seqs[i] = ringSeqs[from];
        }
        ringTasks = tasks;
        ringTimes = times;
        ringSeqs = seqs;
        ringHead = 0;
    }

    private static void runContained(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            LOG.error("Scheduled task {} threw", task, t);
        }
    }

    /** A timed task; also its handle. */
    private final class Timed implements ScheduledTask, Comparable<Timed> {
        final long deadline;
        final long seq;
        final Runnable task;

        Timed(long deadline, long seq, Runnable task) {
            this.deadline = deadline;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public boolean cancel() {
            synchronized (lock) {
                return timed.remove(this);
            }
        }

        @Override
        public int compareTo(Timed other) {
            int byDeadline = Long.compare(deadline - other.deadline, 0);
            return byDeadline != 0 ? byDeadline : Long.compare(seq, other.seq);
        }
    }

    /** The handle of a task scheduled with no delay: cancelling removes it from the ring if it has not run yet. */
    private final class ImmediateHandle implements ScheduledTask {
        private final Runnable task;

        ImmediateHandle(Runnable task) {
            this.task = task;
        }

        @Override
        public boolean cancel() {
            synchronized (lock) {
                for (int i = 0; i < ringSize; i++) {
                    int slot = (ringHead + i) % ringTasks.length;
                    if (ringTasks[slot] == task) {
                        removeRingSlot(i);
                        return true;
                    }
                }
                return false;
            }
        }
    }

    /** Removes the {@code index}-th waiting task of the ring, keeping the order of the others (lock held). */
    private void removeRingSlot(int index) {
        int n = ringTasks.length;
        for (int i = index; i < ringSize - 1; i++) {
            int to = (ringHead + i) % n;
            int from = (ringHead + i + 1) % n;
            ringTasks[to] = ringTasks[from];
            ringTimes[to] = ringTimes[from];
            ringSeqs[to] = ringSeqs[from];
        }
        ringTasks[(ringHead + ringSize - 1) % n] = null;
        ringSize--;
    }

    @Override
    public String toString() {
        return "SystemScheduler[" + thread.getName() + (closed ? ", closed" : "") + "]";
    }
}
