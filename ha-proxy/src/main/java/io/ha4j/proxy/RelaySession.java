package io.ha4j.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and its backend connection on Netty channels: the relay of the NIO transport (epoll uses
 * {@link DirectSession}, with the same rules). Everything here runs on the client channel's event
 * loop, which the backend channel shares, so no field needs to be volatile or locked.
 *
 * <p>Life: accepted → a server is selected (or the client is closed at once when none is available) →
 * connect, with retries that go to another server when one is available → relay both ways → closed by
 * either side, a timeout, the server being marked down ({@code shutdownSessionsOnDown}), an admin action or
 * the end of a graceful shutdown. Termination is recorded as HAProxy's two-letter state (cause, phase).
 *
 * <p>Over ha4j's ~600-line guide because one connection's whole life (connect and retries, both relay directions,
 * half-close, timers, the VIP-leave drain, the log line) shares these fields on one event loop; split into
 * classes, each would need the others' state.
 */
final class RelaySession implements Session, Runnable, ChannelFutureListener {

    static final Logger TCPLOG = LoggerFactory.getLogger("io.ha4j.proxy.tcplog");
    private static final Logger LOG = LoggerFactory.getLogger(RelaySession.class);
    private static final long MAX_TURNAROUND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final ChannelFutureListener SHUTDOWN_OUTPUT = f -> shutdownOutput(f.channel());

    private final BalancerConfig config;
    private final Admission admission;
    private final Backends backends;
    private final FrontendCounters frontend;
    final Channel client;
    private final Ticker ticker;
    private final long acceptNanos;

    private Channel server;
    private Server target;
    private long connectStartNanos;
    private long connectedNanos = -1;
    private long bytesFromClient;
    private long bytesFromServer;
    private long lastClientReadNanos;
    private long lastServerReadNanos;
    private boolean clientInputShut;
    private boolean serverInputShut;
    private boolean clientReadPaused;
    private boolean serverReadPaused;
    private int retries;
    private List<Server> tried;
    private ScheduledFuture<?> timer;
    /** Whether this session waits on its loop's {@link DeferredTimers} list for its timer. */
    private boolean timerDeferred;
    /** Bytes the client sent before the backend connection was up (see {@link #holdEarly}). */
    private ArrayDeque<Object> early;
    private char cause = '-';
    private char termPhase = '-';
    private boolean closed;
    /** Whether this session holds one of the {@code maxConnections} slots. */
    private boolean admitted;
    /** When the slot was taken ({@code Tw} ends); -1 while waiting for one. */
    private long admittedNanos = -1;
    private boolean active;
    private ScheduledFuture<?> queueTimer;
    /** Sockets of this session still open once it is closed; the slot is given back at 0. */
    private int socketsOpen;

    RelaySession(BalancerConfig config, Admission admission, Backends backends, FrontendCounters frontend, Channel client) {
        this.config = config;
        this.admission = admission;
        this.backends = backends;
        this.frontend = frontend;
        this.client = client;
        this.ticker = client.eventLoop().ticker();
        this.acceptNanos = ticker.nanoTime();
    }

    Channel peerOf(boolean clientSide) {
        if (closed) {
            return null;
        }
        return clientSide ? (connectedNanos >= 0 ? server : null) : client;
    }

    Server target() {
        return target;
    }

    /** {@link Admission} gave this session a slot (on any thread before it is active, then on its loop). */
    @Override
    public void admit() {
        if (!client.eventLoop().inEventLoop()) {
            client.eventLoop().execute(this::admit);
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
        if (active) {
            start();
        }
    }

    /** No slot is free: wait for one, at most the queue timeout (HAProxy's {@code timeout queue}, state {@code sQ}). */
    @Override
    public void park() {
        if (!client.eventLoop().inEventLoop()) {
            client.eventLoop().execute(this::park);
            return;
        }
        if (!admitted && !closed && queueTimer == null) {
            queueTimer = client.eventLoop().schedule(() -> {
                queueTimer = null;
                if (!admitted) {
                    close('s', 'Q');
                }
            }, config.queueTimeoutNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** The client channel is active: once admitted, pick a server, or refuse the client at once when none is available. */
    void channelActive() {
        active = true;
        if (admitted) {
            start();
        }
    }

    private void start() {
        if (closed || server != null) {
            return;
        }
        if (!admission.accepting()) {
            close('K', 'R');
            return;
        }
        Server s = backends.pool().select(clientAddress(), null);
        if (s == null) {
            frontend.refused.increment();
            close('S', 'C');
            return;
        }
        connect(s);
    }

    private InetAddress clientAddress() {
        SocketAddress a = client.remoteAddress();
        return a instanceof InetSocketAddress ? ((InetSocketAddress) a).getAddress() : null;
    }

    private void connect(Server s) {
        target = s;
        s.connectionOpened();
        s.sessions.add(this);
        connectStartNanos = ticker.nanoTime();
        Channel ch = NettyTransport.newBackendChannel(config.connectTimeoutMillis());
        ch.pipeline().addLast(new RelayHandler(this, false));
        server = ch;
        // registering from the event loop completes at once; the connect's outcome comes to operationComplete
        ChannelFuture registered = client.eventLoop().register(ch);
        if (registered.isDone()) {
            registered(registered);
        } else {
            registered.addListener((ChannelFutureListener) this::registered);
        }
    }

    private void registered(ChannelFuture f) {
        if (f.isSuccess()) {
            f.channel().connect(target.address).addListener(this);
        } else {
            connectDone(f);
        }
    }

    /** The backend connect (or its registration) completed. */
    @Override
    public void operationComplete(ChannelFuture f) {
        connectDone(f);
    }

    private void connectDone(ChannelFuture f) {
        if (closed) {
            f.channel().close();
            return;
        }
        if (f.isSuccess()) {
            connectedNanos = ticker.nanoTime();
            lastClientReadNanos = connectedNanos;
            lastServerReadNanos = connectedNanos;
            rearmTimer();
            if (early != null) {
                Object m;
                while ((m = early.poll()) != null) {
                    server.write(m, server.voidPromise());
                }
                server.flush();
                early = null;
            }
            if (clientInputShut) {
                shutdownOutputWhenFlushed(server);
            } else {
                client.read();
            }
            server.read();
            return;
        }
        Server failed = target;
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}: connect to {} for {} failed", config.name(), failed.name, client, f.cause());
        }
        failed.connectErrors.increment();
        backends.connectFailed(failed, f.cause());
        detach();
        server = null;
        if (retries >= config.retries()) {
            close(f.cause() instanceof ConnectTimeoutException ? 's' : 'S', 'C');
            return;
        }
        retries++;
        failed.retries.increment();
        if (tried == null) {
            tried = new ArrayList<>(2);
        }
        tried.add(failed);
        Server next = backends.pool().select(clientAddress(), tried);
        if (next != null) {
            failed.redispatches.increment();
            connect(next);
            return;
        }
        Server again = backends.pool().select(clientAddress(), null);
        if (again == null) {
            frontend.refused.increment();
            close('S', 'C');
            return;
        }
        // Only servers already tried are left: wait HAProxy's turn-around delay before trying one again.
        long delay = Math.min(config.connectTimeoutNanos(), MAX_TURNAROUND_NANOS);
        client.eventLoop().schedule(() -> {
            if (!closed) {
                connect(again);
            }
        }, delay, TimeUnit.NANOSECONDS);
    }

    /**
     * Keeps what the client sent before the backend connection is up. Reads are off until then, but epoll
     * still reads once when the client half-closes (EPOLLRDHUP), so at most one read batch lands here.
     */
    void holdEarly(Object msg) {
        if (closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (early == null) {
            early = new ArrayDeque<>(4);
        }
        early.add(msg);
    }

    void readBatchDone(boolean clientSide, long bytes) {
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

    void pauseReading(boolean clientSide) {
        if (clientSide) {
            clientReadPaused = true;
        } else {
            serverReadPaused = true;
        }
    }

    /** The channel that {@code clientSide} reads into became writable again: read more from it. */
    void resumeReading(boolean clientSide) {
        if (closed) {
            return;
        }
        if (clientSide && clientReadPaused) {
            clientReadPaused = false;
            client.read();
        } else if (!clientSide && serverReadPaused) {
            serverReadPaused = false;
            if (server != null) {
                server.read();
            }
        }
    }

    /** One side sent FIN: pass it on as a half-close once what it sent before is flushed. */
    void inputShutdown(boolean clientSide) {
        if (closed) {
            return;
        }
        if (clientSide) {
            clientInputShut = true;
        } else {
            serverInputShut = true;
        }
        if (clientInputShut && serverInputShut) {
            close('-', '-');
            return;
        }
        if (connectedNanos < 0) {
            return; // passed on once connected
        }
        shutdownOutputWhenFlushed(clientSide ? server : client);
        rearmTimer();
    }

    /** Passes a FIN on to {@code ch} once what was relayed to it before is written. */
    private static void shutdownOutputWhenFlushed(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        if (out != null && out.totalPendingWriteBytes() == 0) {
            shutdownOutput(ch); // the usual case: the last read batch was flushed at once
        } else {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(SHUTDOWN_OUTPUT);
        }
    }

    /** Sends FIN on {@code ch}. */
    private static void shutdownOutput(Channel ch) {
        if (ch.isActive() && ch instanceof DuplexChannel) {
            ((DuplexChannel) ch).shutdownOutput();
        }
    }

    void channelClosed(boolean clientSide) {
        if (closed) {
            return;
        }
        boolean orderly = clientSide ? clientInputShut : serverInputShut;
        if (orderly) {
            close('-', '-');
        } else {
            close(clientSide ? 'C' : 'S', phase());
        }
    }

    void failed(boolean clientSide, Throwable cause) {
        if (closed) {
            return;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}: {} side of {} failed", config.name(), clientSide ? "client" : "server", client, cause);
        }
        close(clientSide ? 'C' : 'S', phase());
    }

    /** Closed from another thread: server marked down ('D') or an admin action / shutdown deadline ('K'). */
    @Override
    public void kill(char why) {
        if (client.eventLoop().inEventLoop()) {
            close(why, phase());
        } else {
            client.eventLoop().execute(() -> close(why, phase()));
        }
    }

    private char phase() {
        return connectedNanos >= 0 ? 'D' : 'C';
    }

    /** Whether the client connected to {@code address} (a VIP), compared with the socket's local address. */
    @Override
    public boolean arrivedOn(InetAddress address) {
        SocketAddress local = client.localAddress();
        return local instanceof InetSocketAddress && address.equals(((InetSocketAddress) local).getAddress());
    }

    /**
     * The address the client connected to is leaving this node: bytes in flight keep flowing for up to
     * {@code drainNanos}, then the session ends like a kill ('K'): what is pending is flushed and both sides get a FIN
     * (the client's within the client-fin timeout, else a reset). Counted in {@code closedOnVipLeave} when it was still
     * open at the deadline.
     */
    @Override
    public void vipLeaving(long drainNanos) {
        if (!client.eventLoop().inEventLoop()) {
            client.eventLoop().execute(() -> vipLeaving(drainNanos));
            return;
        }
        if (drainNanos <= 0) {
            endOnVipLeave();
        } else {
            client.eventLoop().schedule(this::endOnVipLeave, drainNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void endOnVipLeave() {
        if (!closed) {
            frontend.closedOnVipLeave.increment();
            close('K', phase());
        }
    }

    /**
     * The inactivity timer (one per session, re-armed from the time of the last read; a new session's is armed
     * late, by {@link DeferredTimers}, when its deadline is far).
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
        if (now - deadline >= 0) {
            close(timeoutCause(), 'D');
        } else {
            timer = client.eventLoop().schedule(this, deadline - now, TimeUnit.NANOSECONDS);
        }
    }

    private void rearmTimer() {
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
                DeferredTimers.defer(client.eventLoop(), this);
            }
            return;
        }
        timer = client.eventLoop().schedule(this, delay, TimeUnit.NANOSECONDS);
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
            timer = client.eventLoop().schedule(this, Math.max(0, deadline - ticker.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private long deadline() {
        return deadline(config, lastClientReadNanos, lastServerReadNanos, clientInputShut || serverInputShut);
    }

    /**
     * When a session expires if nothing is read before: {@code clientFin} once either side half-closed, else
     * {@code tunnel} over both directions, else the per-direction client and server timeouts.
     * {@link Long#MAX_VALUE} when no timeout applies. Shared with {@link DirectSession}.
     */
    static long deadline(BalancerConfig config, long lastClientReadNanos, long lastServerReadNanos, boolean halfClosed) {
        long lastAny = Math.max(lastClientReadNanos, lastServerReadNanos);
        long fin = config.clientFinTimeoutNanos();
        if (halfClosed && fin > 0) {
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

    private char timeoutCause() {
        return timeoutCause(config, lastClientReadNanos, clientInputShut || serverInputShut, ticker.nanoTime());
    }

    /** Which side a timeout at {@code now} is blamed on: {@code 'c'} (client) or {@code 's'} (server). */
    static char timeoutCause(BalancerConfig config, long lastClientReadNanos, boolean halfClosed, long now) {
        if (halfClosed || config.tunnelTimeoutNanos() > 0) {
            return 'c';
        }
        long c = config.clientTimeoutNanos();
        return c > 0 && now - (lastClientReadNanos + c) >= 0 ? 'c' : 's';
    }

    /** Ends the session: flushes what is pending to each side, closes both, and does the accounting once. */
    void close(char why, char when) {
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
        if (early != null) {
            Object m;
            while ((m = early.poll()) != null) {
                ReferenceCountUtil.release(m);
            }
            early = null;
        }
        if (queueTimer != null) {
            queueTimer.cancel(false);
            queueTimer = null;
        }
        detach(); // before the sockets close: closing one may hand the slot to a parked session at once
        // The slot is given back once both sockets are closed, not before: a backend must never see more of
        // our connections than maxConnections, also while a closing one still flushes.
        socketsOpen = server != null ? 2 : 1;
        ChannelFutureListener socketClosed = f -> {
            if (--socketsOpen == 0) {
                admission.ended(this, admitted);
            }
        };
        closeAfterFlush(client);
        client.closeFuture().addListener(socketClosed);
        if (server != null) {
            if (why == 'C') {
                abort(server);
            } else {
                closeAfterFlush(server);
            }
            server.closeFuture().addListener(socketClosed);
        }
        if (why == 'D' || why == 'K') {
            Server s = target;
            if (s != null) {
                s.killed.increment();
            }
        }
        if (config.logConnections()) {
            log();
        }
    }

    private void detach() {
        Server s = target;
        if (s != null) {
            s.connectionClosed();
            s.sessions.remove(this);
        }
    }

    /**
     * The client aborted (reset, or failed before its FIN): pass the abort on as a reset, as HAProxy does,
     * instead of flushing its last bytes to the backend first. The client is gone, so what it sent last may
     * be cut (the design's rule), and the backend learns at once that the connection is over: with a
     * graceful close the kernel would keep the backend's side open until it had read everything, while
     * the slot was already given to the next client, and {@code maxConnections} would be exceeded at the
     * backend ({@code MaxConnectionsTest}).
     */
    private static void abort(Channel ch) {
        if (ch.isActive()) {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ch.close();
    }

    /**
     * Closes {@code ch} once its pending bytes are written, but never waits longer than the client-fin
     * timeout for a peer that does not read.
     */
    private void closeAfterFlush(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        if (!ch.isActive() || out == null || out.totalPendingWriteBytes() == 0) {
            ch.close();
            return;
        }
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        long linger = config.clientFinTimeoutNanos() > 0 ? config.clientFinTimeoutNanos() : config.connectTimeoutNanos();
        ScheduledFuture<?> force = ch.eventLoop().schedule(() -> {
            ch.close();
        }, linger, TimeUnit.NANOSECONDS);
        ch.closeFuture().addListener(f -> force.cancel(false));
    }

    private void log() {
        logLine(config, frontend, client.remoteAddress(), target, acceptNanos, admittedNanos, connectStartNanos, connectedNanos,
                ticker.nanoTime(), bytesFromServer, bytesFromClient, cause, termPhase, retries);
    }

    /** Writes a session's line in HAProxy's TCP log format to {@link #TCPLOG}. Shared with {@link DirectSession}. */
    static void logLine(BalancerConfig config, FrontendCounters frontend, SocketAddress client, Server s, long acceptNanos,
                        long admittedNanos, long connectStartNanos, long connectedNanos, long now, long bytesFromServer,
                        long bytesFromClient, char cause, char termPhase, int retries) {
        long tc = connectedNanos >= 0 ? TimeUnit.NANOSECONDS.toMillis(connectedNanos - connectStartNanos) : -1;
        long tt = TimeUnit.NANOSECONDS.toMillis(now - acceptNanos);
        String serverName = s == null ? "<NOSRV>" : s.name;
        long tw = TimeUnit.NANOSECONDS.toMillis((admittedNanos >= 0 ? admittedNanos : now) - acceptNanos);
        TCPLOG.info("{} {} {}/{} {}/{}/{} {} {} {}{} {}/{} {}",
                client instanceof InetSocketAddress ? format((InetSocketAddress) client) : String.valueOf(client),
                config.name(), config.name(), serverName, tw, tc, tt, bytesFromServer, bytesFromClient, cause, termPhase,
                frontend.active.get(), s == null ? 0 : s.active.get(), retries);
    }

    /** {@code host:port}, with IPv6 literals in brackets. */
    static String format(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** HAProxy termination state of a closed session, e.g. {@code "--"} or {@code "SC"}. */
    String terminationState() {
        return "" + cause + termPhase;
    }

    long bytesFromClient() {
        return bytesFromClient;
    }

    long bytesFromServer() {
        return bytesFromServer;
    }
}
