package io.ha4j.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inService = new AtomicInteger();
    private final Queue<Session> parked = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean acceptPaused = new AtomicBoolean();
    private final List<Acceptor> acceptors = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean accepting = true;

    Admission(int maxConnections, FrontendCounters frontend) {
        this.maxConnections = maxConnections;
        this.frontend = frontend;
    }

    void addAcceptor(Acceptor acceptor) {
        acceptors.add(acceptor);
    }

    List<Acceptor> acceptors() {
        return acceptors;
    }

    /** A connection was accepted: count it and try to take a slot for it. */
    void accepted(Session s) {
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
        Session next;
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
    void ended(Session s, boolean heldSlot) {
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
     * Sets each acceptor's state from {@link #acceptPaused} on the acceptor's own event loop. Setting it
     * directly from whichever thread paused or resumed could apply a pause after a later resume (Netty runs
     * the change at once on the channel's loop and queues it from any other thread), leaving the listener
     * paused for good; a task that reads the flag when it runs always leaves the latest state.
     */
    private void applyAcceptState() {
        for (Acceptor a : acceptors) {
            a.loop().execute(() -> a.setAccepting(!acceptPaused.get()));
        }
    }

    /** Sessions accepted and not yet ended (admitted or parked). */
    Set<Session> sessions() {
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

    /** One listening socket of the balancer, served by one event loop. */
    interface Acceptor {

        EventLoop loop();

        /** On {@link #loop()}: accept new clients ({@code true}) or leave them in the kernel's accept queue. */
        void setAccepting(boolean accepting);

        /** Closes the listening socket and waits (a few seconds at most) until it is closed. */
        void closeAndWait();
    }

    /** A listening Netty channel: accepting is its auto-read. */
    static Acceptor of(Channel listener) {
        return new Acceptor() {
            @Override
            public EventLoop loop() {
                return listener.eventLoop();
            }

            @Override
            public void setAccepting(boolean accepting) {
                if (listener.isOpen()) {
                    listener.config().setAutoRead(accepting);
                }
            }

            @Override
            public void closeAndWait() {
                listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        };
    }
}
