package io.ha4j.proxy;

import io.netty.channel.Channel;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control of one balancer: HAProxy's frontend {@code maxconn}, exact.
 *
 * <p>A slot is taken atomically when a connection is accepted, before any backend connect, and given back
 * only once both the client and the backend socket of its session are closed, so the number of sessions
 * holding a backend connection (or trying to get one) never exceeds {@code maxConnections}, across every
 * acceptor and event loop, and a backend never sees more connections from us than the limit, even while a
 * closing session still flushes.
 *
 * <p>When the last slot is taken the acceptors stop reading (HAProxy pauses its listeners the same way): new
 * clients wait in the kernel's accept queue ({@code backlog}) and, past it, in SYN retransmission. Netty stops
 * accepting only after the accept batch under way, so a few clients may be accepted past the limit; they are
 * parked here without a backend connection, served first-come first-served as slots free, and closed (state
 * {@code sQ}) if none frees within {@code queueTimeout} (HAProxy's {@code timeout queue}).
 *
 * <p>Thread-safe: called from every event loop and from admin threads.
 */
final class Admission {

    private final int maxConnections;
    private final FrontendCounters frontend;
    private final Set<RelaySession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inService = new AtomicInteger();
    private final Queue<RelaySession> parked = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean acceptPaused = new AtomicBoolean();
    private final List<Channel> acceptors = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean accepting = true;

    Admission(int maxConnections, FrontendCounters frontend) {
        this.maxConnections = maxConnections;
        this.frontend = frontend;
    }

    void addAcceptor(Channel acceptor) {
        acceptors.add(acceptor);
    }

    List<Channel> acceptors() {
        return acceptors;
    }

    /** A connection was accepted: count it and try to take a slot for it. */
    void accepted(RelaySession s) {
        sessions.add(s);
        frontend.opened();
        if (tryTakeSlot()) {
            s.admit();
        } else {
            pauseAccepting();
            parked.add(s);
            s.park();
            if (inService.get() < maxConnections) {
                startParked(); // a slot freed meanwhile
            }
        }
    }

    private boolean tryTakeSlot() {
        int n;
        do {
            n = inService.get();
            if (n >= maxConnections) {
                return false;
            }
        } while (!inService.compareAndSet(n, n + 1));
        if (n + 1 >= maxConnections) {
            pauseAccepting();
        }
        return true;
    }

    /** Gives the slot of a parked session to the oldest one waiting, while slots are free. */
    private void startParked() {
        RelaySession next;
        while ((next = parked.peek()) != null) {
            if (!tryTakeSlot()) {
                return;
            }
            if (parked.remove(next)) {
                next.admit();
            } else {
                releaseSlot(); // it left the queue (closed) meanwhile
            }
        }
    }

    /** Whether new sessions are still started (false once the balancer closes). */
    boolean accepting() {
        return accepting;
    }

    void stopAccepting() {
        accepting = false;
    }

    /**
     * A session is over: both of its sockets are closed. Gives its slot (if it held one) to the oldest parked
     * session, or lets the acceptors read again.
     */
    void ended(RelaySession s, boolean heldSlot) {
        sessions.remove(s);
        frontend.active.decrementAndGet();
        if (heldSlot) {
            releaseSlot();
        } else {
            parked.remove(s);
        }
        if (!accepting && sessions.isEmpty()) {
            drained.complete(null);
        }
    }

    /** A slot taken for a session that closed before it could use it. */
    void slotUnused() {
        releaseSlot();
    }

    private void releaseSlot() {
        inService.decrementAndGet();
        startParked();
        if (inService.get() < maxConnections && parked.isEmpty() && accepting) {
            resumeAccepting();
        }
    }

    private void pauseAccepting() {
        if (acceptPaused.compareAndSet(false, true)) {
            frontend.acceptPauses.increment();
            applyAcceptState();
            if (inService.get() < maxConnections && parked.isEmpty()) {
                resumeAccepting(); // a slot freed while we paused
            }
        }
    }

    private void resumeAccepting() {
        if (acceptPaused.compareAndSet(true, false)) {
            applyAcceptState();
        }
    }

    /**
     * Sets each acceptor's auto-read from {@link #acceptPaused} on the acceptor's own event loop. Setting it
     * directly from whichever thread paused or resumed could apply a pause after a later resume (Netty runs
     * the change at once on the channel's loop and queues it from any other thread), leaving the listener
     * paused for good; a task that reads the flag when it runs always leaves the latest state.
     */
    private void applyAcceptState() {
        for (Channel a : acceptors) {
            a.eventLoop().execute(() -> {
                if (a.isOpen()) {
                    a.config().setAutoRead(!acceptPaused.get());
                }
            });
        }
    }

    /** Sessions accepted and not yet ended (admitted or parked). */
    Set<RelaySession> sessions() {
        return sessions;
    }

    /** Completes when, after {@link #stopAccepting()}, the last session has ended. */
    CompletableFuture<Void> drained() {
        if (!accepting && sessions.isEmpty()) {
            drained.complete(null);
        }
        return drained;
    }

    /** Sessions holding a slot now. */
    int inService() {
        return inService.get();
    }

    /** Sessions waiting for a slot now. */
    int parkedCount() {
        return parked.size();
    }
}
