package io.ha4j.core.internal;

import io.ha4j.core.Leadership;
import io.ha4j.core.LeadershipListener;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shared half of every {@link io.ha4j.core.LeaderElection}: the current term, waiters of
 * {@code awaitLeadership}, and the listeners (through {@link Listeners}, so a throwing listener is logged and
 * contained). The backend decides when a term starts and ends; this class only records and reports it, on the
 * thread that calls {@link #lead} or {@link #release}.
 */
public final class LeadershipState {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Listeners<LeadershipListener> listeners = new Listeners<>();
    private volatile Leadership current;
    private boolean closed;

    public Optional<Leadership> current() {
        return Optional.ofNullable(current);
    }

    /** Starts a term and tells the listeners; a term already running is ended first. */
    public void lead(Leadership leadership) {
        release();
        lock.lock();
        try {
            current = leadership;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        listeners.forEach(l -> l.isLeader(leadership));
    }

    /** Ends the running term, if any, and tells the listeners. Returns whether a term was running. */
    public boolean release() {
        lock.lock();
        try {
            if (current == null) {
                return false;
            }
            current = null;
        } finally {
            lock.unlock();
        }
        listeners.forEach(LeadershipListener::notLeader);
        return true;
    }

    /** Ends the running term and wakes every waiter for good. */
    public void close() {
        release();
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public Optional<Leadership> await(Duration timeout) throws InterruptedException {
        long remaining = Validation.notNull("timeout", timeout).toNanos();
        lock.lockInterruptibly();
        try {
            // Condition.awaitNanos reads the JVM's clock itself; this is a blocking wait for a caller's thread,
            // not a timer of the engine, which keeps to the injected clock.
            while (current == null && !closed && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
            return Optional.ofNullable(current);
        } finally {
            lock.unlock();
        }
    }

    public void addListener(LeadershipListener listener, Executor executor) {
        listeners.add(listener, executor);
    }

    public void removeListener(LeadershipListener listener) {
        listeners.remove(listener);
    }
}
