package io.ha4j.proxy;

import io.ha4j.core.HealthChecker;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The runtime side of a {@link Backend}: health, admin state, current weight, slowstart and counters.
 * Fields read by the selection algorithms are volatile; the round-robin credit is guarded by the
 * {@link ServerPool}'s lock.
 */
final class Server {

    /** Weights are scaled by this so that slowstart can ramp in small steps. */
    static final int WEIGHT_SCALE = 256;

    final Backend backend;
    final String name;
    final InetSocketAddress address;
    final boolean backup;

    volatile int weight;
    volatile BackendState adminState = BackendState.READY;
    volatile boolean up = true;
    /** Clock time when the slowstart ramp began; {@link Long#MIN_VALUE} when no ramp is running. */
    volatile long slowStartBeginNanos = Long.MIN_VALUE;
    volatile HealthChecker checker;
    volatile long lastChangeNanos;
    volatile boolean removed;

    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger maxActive = new AtomicInteger();
    final LongAdder total = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder connectErrors = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder redispatches = new LongAdder();
    final LongAdder killed = new LongAdder();
    final AtomicInteger downTransitions = new AtomicInteger();
    final Set<Session> sessions = ConcurrentHashMap.newKeySet();

    /** Smooth round-robin credit; guarded by the pool. */
    long rrCurrent;

    Server(Backend backend) {
        this.backend = backend;
        this.name = backend.name();
        this.address = backend.address();
        this.backup = backend.isBackup();
        this.weight = backend.weight();
    }

    /** Whether new connections may go here at all (weight aside). */
    boolean isAvailable() {
        return up && adminState == BackendState.READY && !removed;
    }

    /**
     * The weight used for selection, scaled by {@link #WEIGHT_SCALE}: the configured weight, ramped linearly
     * from nearly 0 to full over {@code slowStartNanos} after the server came back (at least 1 while ramping,
     * so that a returning server is not starved when it is the only one).
     */
    long effectiveWeight(long nowNanos, long slowStartNanos) {
        long full = (long) weight * WEIGHT_SCALE;
        long begin = slowStartBeginNanos;
        if (full == 0 || begin == Long.MIN_VALUE || slowStartNanos <= 0) {
            return full;
        }
        long elapsed = nowNanos - begin;
        if (elapsed >= slowStartNanos) {
            slowStartBeginNanos = Long.MIN_VALUE;
            return full;
        }
        if (elapsed <= 0) {
            return 1;
        }
        long ramped = (long) ((double) full * elapsed / slowStartNanos);
        return Math.max(1, ramped);
    }

    /** Whether the slowstart ramp is running at {@code nowNanos}. */
    boolean inSlowStart(long nowNanos, long slowStartNanos) {
        long begin = slowStartBeginNanos;
        return begin != Long.MIN_VALUE && slowStartNanos > 0 && nowNanos - begin < slowStartNanos;
    }

    void connectionOpened() {
        int now = active.incrementAndGet();
        total.increment();
        int max;
        while (now > (max = maxActive.get()) && !maxActive.compareAndSet(max, now)) {
            // another thread raised it; read again
        }
    }

    void connectionClosed() {
        active.decrementAndGet();
    }

    /** Status as the stats page shows it: MAINT and DRAIN win over health, then UP or DOWN. */
    String status() {
        if (adminState == BackendState.MAINT) {
            return "MAINT";
        }
        if (adminState == BackendState.DRAIN || weight == 0) {
            return up ? "DRAIN" : "DOWN";
        }
        return up ? "UP" : "DOWN";
    }

    @Override
    public String toString() {
        return name;
    }
}
