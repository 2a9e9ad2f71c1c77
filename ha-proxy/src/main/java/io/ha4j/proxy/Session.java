package io.ha4j.proxy;

import java.net.InetAddress;

/**
 * What the balancer's bookkeeping ({@link Admission}, {@link Backends}, {@link DeferredTimers}, the VIP and
 * shutdown paths of {@link TcpBalancer}) needs of one client connection, whichever relay carries it:
 * {@link DirectSession} on the epoll transport, {@link RelaySession} on Netty channels otherwise.
 *
 * <p>{@link #admit()}, {@link #park()}, {@link #kill(char)}, {@link #vipLeaving(long)} and
 * {@link #arrivedOn(InetAddress)} may be called from any thread; the session moves the work to its event loop.
 */
interface Session {

    /** {@link Admission} gave this session a slot: start it (pick a server and connect). */
    void admit();

    /** No slot is free: wait for one, at most the queue timeout (HAProxy's {@code timeout queue}, state {@code sQ}). */
    void park();

    /** Ends the session from outside: server marked down ({@code 'D'}) or an admin action or shutdown ({@code 'K'}). */
    void kill(char why);

    /** Whether the client connected to {@code address} (a VIP). */
    boolean arrivedOn(InetAddress address);

    /** The address the client connected to is leaving this node: end the session after {@code drainNanos}. */
    void vipLeaving(long drainNanos);

    /** {@link DeferredTimers} reached this session: arm its inactivity timer unless it ended or has one. */
    void armDeferredTimer();
}
