package io.ha4j.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Arms the inactivity timers of new sessions late, in one batch per event loop, so that a connection that ends
 * within {@link #DEFER_NANOS} never touches the event loop's timer queue.
 *
 * <p>Why: with {@code Connection: close} traffic nearly every session lives for a millisecond, and its own timer
 * (scheduled at connect, cancelled at close: a task object and two heap operations on the loop's priority queue)
 * cost about 8 % of the event loop's time. HAProxy keeps its timeouts in one wheel for the same reason. Here a
 * session whose deadline is at least {@code DEFER_NANOS} away is put on its loop's list instead; one task per loop,
 * scheduled only while the list is not empty, arms the timers of the sessions on it that are still open, each at
 * its exact deadline (which counts from the last read, so arming late changes nothing). A deadline nearer than
 * that is armed at once as before.
 *
 * <p>Everything here runs on the event loop that owns the list (one list per event loop thread, shared by the
 * balancers on that loop).
 */
final class DeferredTimers implements Runnable {

    /** How long a new session's timer may wait to be armed; shorter deadlines are armed at once. */
    static final long DEFER_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private static final FastThreadLocal<DeferredTimers> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected DeferredTimers initialValue() {
            return new DeferredTimers();
        }
    };

    private ArrayList<Session> pending = new ArrayList<>();
    private ArrayList<Session> spare = new ArrayList<>();
    private boolean scheduled;

    private DeferredTimers() {
    }

    /** Puts {@code session} on the list of {@code loop}, the current thread's event loop. */
    static void defer(EventLoop loop, Session session) {
        DeferredTimers timers = PER_LOOP.get();
        timers.pending.add(session);
        if (!timers.scheduled) {
            timers.scheduled = true;
            loop.schedule(timers, DEFER_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        ArrayList<Session> due = pending;
        pending = spare; // sessions deferred while arming these go to the next batch
        spare = due;
        for (int i = 0, n = due.size(); i < n; i++) {
            due.get(i).armDeferredTimer();
        }
        due.clear();
    }
}
