package io.ha4j.proxy;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules of one client session that do not depend on how its bytes move, shared by both relays: the slot
 * ({@link Admission}), server selection, connect retries and redispatch, the timers, the VIP-leave drain, the
 * counters, the termination state and the log line. {@link DirectSession} (epoll events) and {@link RelaySession}
 * (Netty channels) add the I/O: opening the backend connection, relaying, passing half-closes on and closing sockets.
 *
 * <p>Life: accepted → a slot → a server is selected (or the client is closed at once when none is available) →
 * connect, with retries that go to another server when one is available → relay both ways → closed by either
 * side, a timeout, the server being marked down ({@code shutdownSessionsOnDown}), an admin action, the VIP leaving
 * or the end of a graceful shutdown. Termination is recorded as HAProxy's two-letter state (cause, phase).
 *
 * <p>Everything but the {@link Session} entry points runs on {@link #loop}, the event loop that accepted the client
 * and that the backend connection shares, so no field needs to be volatile or locked.
 */
abstract class AbstractSession implements Session, Runnable {

    static final Logger TCPLOG = LoggerFactory.getLogger("io.ha4j.proxy.tcplog");
    private static final Logger LOG = LoggerFactory.getLogger(AbstractSession.class);
    /** HAProxy's turn-around delay before a server already tried is tried again, at most. */
    private static final long MAX_TURNAROUND_NANOS = TimeUnit.SECONDS.toNanos(1);

    final BalancerConfig config;
    private final Admission admission;
    private final Backends backends;
    final FrontendCounters frontend;
    final EventLoop loop;
    final Ticker ticker;
    private final long acceptNanos;
    /** Whether the session's own timer bounds the backend connect (else the transport's connect does). */
    private final boolean timesConnect;

    Server target;
    private long connectStartNanos;
    /** When the backend connection was up; -1 before. */
    long connectedNanos = -1;
    private long bytesFromClient;
    private long bytesFromServer;
    private long lastClientReadNanos;
    private long lastServerReadNanos;
    private int retries;
    private List<Server> tried;
    private ScheduledFuture<?> timer;
    /** Whether this session waits on its loop's {@link DeferredTimers} list for its timer. */
    private boolean timerDeferred;
    private ScheduledFuture<?> queueTimer;
    private char cause = '-';
    private char termPhase = '-';
    boolean closed;
    /** Whether this session holds one of the {@code maxConnections} slots. */
    private boolean admitted;
    /** When the slot was taken ({@code Tw} ends); -1 while waiting for one. */
    private long admittedNanos = -1;
    /** Sockets of this session still open once it is closed; the slot is given back at 0. */
    private int socketsOpen;

    AbstractSession(BalancerConfig config, Admission admission, Backends backends, FrontendCounters frontend,
                    EventLoop loop, boolean timesConnect) {
        this.config = config;
        this.admission = admission;
        this.backends = backends;
        this.frontend = frontend;
        this.loop = loop;
        this.ticker = loop.ticker();
        this.acceptNanos = ticker.nanoTime();
        this.timesConnect = timesConnect;
    }

    /** Whether the client side can be served yet (a Netty client channel becomes active after it is accepted). */
    abstract boolean clientReady();

    /** The client's address; null when it is not known (then the balance hashes nothing and the log says so). */
    abstract InetSocketAddress clientAddress();

    /** Opens the backend connection to {@link #target}; ends in {@link #connected()} or {@link #connectFailed}. */
    abstract void openServer(Server s);

    /** Whether a backend connection (connecting or connected) exists. */
    abstract boolean serverOpen();

    /** The backend connection failed: forget it (and close its socket if still open). */
    abstract void dropServer();

    /** Whether either side has sent its FIN. */
    abstract boolean halfClosed();

    /**
     * Closes both sockets ({@code why == 'C'}: the client aborted; the backend gets a reset), each after what is
     * pending to it is written; each calls {@link #socketClosed()} once closed.
     */
    abstract void closeSockets(char why);

    /** Called once both sockets are closed, before the slot is given back. */
    void ended() {
    }

    @Override
    public void admit() {
        if (!loop.inEventLoop()) {
            loop.execute(this::admit);
            return;
        }
        admitted = true;
        admittedNanos = ticker.nanoTime();
        if (queueTimer != null) {
            queueTimer.cancel(false);
            queueTimer = null;
        }
        if (closed) {
            admitted = false;
            admission.slotUnused(); // closed while its slot was on the way: give it back
            return;
        }
        if (clientReady()) {
            startAdmitted();
        }
    }

    /** An admitted session with its client ready: {@link #start()} it (a relay may do so later in the turn). */
    void startAdmitted() {
        start();
    }

    @Override
    public void park() {
        if (!loop.inEventLoop()) {
            loop.execute(this::park);
            return;
        }
        if (!admitted && !closed && queueTimer == null) {
            queueTimer = loop.schedule(() -> {
                queueTimer = null;
                if (!admitted) {
                    close('s', 'Q');
                }
            }, config.queueTimeoutNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Whether this session holds its slot. */
    final boolean admitted() {
        return admitted;
    }

    /** Admitted and ready: pick a server, or refuse the client at once when none is available. */
    final void start() {
        if (closed || serverOpen()) {
            return;
        }
        if (!admission.accepting()) {
            close('K', 'R');
            return;
        }
        Server s = backends.pool().select(clientInetAddress(), null);
        if (s == null) {
            frontend.refused.increment();
            close('S', 'C');
            return;
        }
        connect(s);
    }

    private InetAddress clientInetAddress() {
        InetSocketAddress a = clientAddress();
        return a == null ? null : a.getAddress();
    }

    private void connect(Server s) {
        target = s;
        s.connectionOpened();
        s.sessions.add(this);
        connectStartNanos = ticker.nanoTime();
        openServer(s);
    }

    /** The backend accepted the connection: from now on the inactivity timeouts run. */
    final void connected() {
        connectedNanos = ticker.nanoTime();
        lastClientReadNanos = connectedNanos;
        lastServerReadNanos = connectedNanos;
        rearmTimer();
    }

    /** The backend connect failed: retry, on another server when one is available, or end the session. */
    final void connectFailed(Throwable why) {
        Server failed = target;
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}: connect to {} for {} failed", config.name(), failed.name, this, why);
        }
        failed.connectErrors.increment();
        backends.connectFailed(failed, why);
        detach();
        dropServer();
        if (retries >= config.retries()) {
            close(why instanceof ConnectTimeoutException ? 's' : 'S', 'C');
            return;
        }
        retries++;
        failed.retries.increment();
        if (tried == null) {
            tried = new ArrayList<>(2);
        }
        tried.add(failed);
        Server next = backends.pool().select(clientInetAddress(), tried);
        if (next != null) {
            failed.redispatches.increment();
            connect(next);
            return;
        }
        Server again = backends.pool().select(clientInetAddress(), null);
        if (again == null) {
            frontend.refused.increment();
            close('S', 'C');
            return;
        }
        // Only servers already tried are left: wait HAProxy's turn-around delay before trying one again.
        long delay = Math.min(config.connectTimeoutNanos(), MAX_TURNAROUND_NANOS);
        loop.schedule(() -> {
            if (!closed) {
                connect(again);
            }
        }, delay, TimeUnit.NANOSECONDS);
    }

    /** One read batch of {@code bytes} from the client ({@code clientSide}) or the server was relayed. */
    final void readDone(boolean clientSide, long bytes) {
        long now = ticker.nanoTime();
        Server s = target;
        if (clientSide) {
            lastClientReadNanos = now;
            bytesFromClient += bytes;
            if (bytes > 0) {
                frontend.bytesIn.add(bytes);
                if (s != null) {
                    s.bytesIn.add(bytes);
                }
            }
        } else {
            lastServerReadNanos = now;
            bytesFromServer += bytes;
            if (bytes > 0) {
                frontend.bytesOut.add(bytes);
                if (s != null) {
                    s.bytesOut.add(bytes);
                }
            }
        }
    }

    /** One side failed (reset, write error): the session ends, blamed on that side. */
    final void failed(boolean clientSide, Throwable why) {
        if (closed) {
            return;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}: {} side of {} failed", config.name(), clientSide ? "client" : "server", this, why);
        }
        close(clientSide ? 'C' : 'S', phase());
    }

    /** Closed from another thread: server marked down ('D') or an admin action / shutdown deadline ('K'). */
    @Override
    public void kill(char why) {
        if (loop.inEventLoop()) {
            close(why, phase());
        } else {
            loop.execute(() -> close(why, phase()));
        }
    }

    final char phase() {
        return connectedNanos >= 0 ? 'D' : 'C';
    }

    /**
     * The address the client connected to is leaving this node: bytes in flight keep flowing for up to
     * {@code drainNanos}, then the session ends like a kill ('K'): what is pending is flushed and both sides get a FIN
     * (the client's within the client-fin timeout, else a reset). Counted in {@code closedOnVipLeave} when it was still
     * open at the deadline.
     */
    @Override
    public void vipLeaving(long drainNanos) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> vipLeaving(drainNanos));
            return;
        }
        if (drainNanos <= 0) {
            endOnVipLeave();
        } else {
            loop.schedule(this::endOnVipLeave, drainNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void endOnVipLeave() {
        if (!closed) {
            frontend.closedOnVipLeave.increment();
            close('K', phase());
        }
    }

    /**
     * The session's one timer: the connect timeout while connecting (when {@code timesConnect}), then the inactivity
     * timeouts, re-armed from the time of the last read. A new session's is armed late, by {@link DeferredTimers},
     * when its deadline is far.
     */
    @Override
    public void run() {
        timer = null;
        if (closed) {
            return;
        }
        long now = ticker.nanoTime();
        long deadline = deadline();
        if (deadline == Long.MAX_VALUE) {
            return;
        }
        if (now - deadline < 0) {
            timer = loop.schedule(this, deadline - now, TimeUnit.NANOSECONDS);
        } else if (connectedNanos < 0) {
            connectFailed(new ConnectTimeoutException("connection timed out: " + target.address));
        } else {
            close(timeoutCause(now), 'D');
        }
    }

    final void rearmTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        long deadline = deadline();
        if (deadline == Long.MAX_VALUE) {
            return;
        }
        long delay = Math.max(0, deadline - ticker.nanoTime());
        if (delay >= DeferredTimers.DEFER_NANOS) {
            if (!timerDeferred) {
                timerDeferred = true;
                DeferredTimers.defer(loop, this);
            }
            return;
        }
        timer = loop.schedule(this, delay, TimeUnit.NANOSECONDS);
    }

    /** {@link DeferredTimers} reached this session: arm its timer at its deadline, unless it ended or has one. */
    @Override
    public void armDeferredTimer() {
        timerDeferred = false;
        if (closed || timer != null) {
            return;
        }
        long deadline = deadline();
        if (deadline != Long.MAX_VALUE) {
            timer = loop.schedule(this, Math.max(0, deadline - ticker.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * When the session expires if nothing happens before; {@link Long#MAX_VALUE} when no timeout applies. While
     * connecting: the connect timeout. Then {@code clientFin} once either side half-closed, else {@code tunnel} over
     * both directions, else the per-direction client and server timeouts.
     */
    private long deadline() {
        if (connectedNanos < 0) {
            return timesConnect && serverOpen() ? connectStartNanos + config.connectTimeoutNanos() : Long.MAX_VALUE;
        }
        long lastAny = Math.max(lastClientReadNanos, lastServerReadNanos);
        long fin = config.clientFinTimeoutNanos();
        if (fin > 0 && halfClosed()) {
            return lastAny + fin;
        }
        long tunnel = config.tunnelTimeoutNanos();
        if (tunnel > 0) {
            return lastAny + tunnel;
        }
        long d = Long.MAX_VALUE;
        long c = config.clientTimeoutNanos();
        if (c > 0) {
            d = lastClientReadNanos + c;
        }
        long s = config.serverTimeoutNanos();
        if (s > 0) {
            d = Math.min(d, lastServerReadNanos + s);
        }
        return d;
    }

    /** Which side a timeout at {@code now} is blamed on: {@code 'c'} (client) or {@code 's'} (server). */
    private char timeoutCause(long now) {
        if (config.tunnelTimeoutNanos() > 0 || halfClosed()) {
            return 'c';
        }
        long c = config.clientTimeoutNanos();
        return c > 0 && now - (lastClientReadNanos + c) >= 0 ? 'c' : 's';
    }

    /** Ends the session: flushes what is pending to each side, closes both, and does the accounting once. */
    final void close(char why, char when) {
        if (closed) {
            return;
        }
        closed = true;
        cause = why;
        termPhase = when;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (queueTimer != null) {
            queueTimer.cancel(false);
            queueTimer = null;
        }
        detach(); // before the sockets close: closing one may hand the slot to a parked session at once
        // The slot is given back once both sockets are closed, not before: a backend must never see more of
        // our connections than maxConnections, also while a closing one still flushes.
        socketsOpen = serverOpen() ? 2 : 1;
        closeSockets(why);
        if (why == 'D' || why == 'K') {
            Server t = target;
            if (t != null) {
                t.killed.increment();
            }
        }
        if (config.logConnections()) {
            logLine();
        }
    }

    private void detach() {
        Server s = target;
        if (s != null) {
            s.connectionClosed();
            s.sessions.remove(this);
        }
    }

    /** One of the session's sockets closed after {@link #close}; the last gives the slot back. */
    final void socketClosed() {
        if (--socketsOpen == 0) {
            ended();
            admission.ended(this, admitted);
        }
    }

    /** Writes this session's line in HAProxy's TCP log format to {@link #TCPLOG}. */
    private void logLine() {
        long now = ticker.nanoTime();
        long tc = connectedNanos >= 0 ? TimeUnit.NANOSECONDS.toMillis(connectedNanos - connectStartNanos) : -1;
        long tt = TimeUnit.NANOSECONDS.toMillis(now - acceptNanos);
        Server s = target;
        String serverName = s == null ? "<NOSRV>" : s.name;
        long tw = TimeUnit.NANOSECONDS.toMillis((admittedNanos >= 0 ? admittedNanos : now) - acceptNanos);
        InetSocketAddress client = clientAddress();
        TCPLOG.info("{} {} {}/{} {}/{}/{} {} {} {}{} {}/{} {}",
                client != null ? format(client) : "-", config.name(), config.name(), serverName, tw, tc, tt,
                bytesFromServer, bytesFromClient, cause, termPhase, frontend.active.get(), s == null ? 0 : s.active.get(),
                retries);
    }

    /** {@code host:port}, with IPv6 literals in brackets. */
    static String format(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
