package io.ha4j.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One client connection and its backend connection on Netty channels: the relay of the NIO transport (epoll uses
 * {@link DirectSession}). The session rules are {@link AbstractSession}'s; this class moves the bytes: a
 * {@link RelayHandler} on each channel, reads paused while the other side is not writable, half-closes passed on
 * once what was relayed before is flushed. The backend channel is registered on the client channel's event loop.
 */
final class RelaySession extends AbstractSession implements ChannelFutureListener {

    private static final ChannelFutureListener SHUTDOWN_OUTPUT = f -> shutdownOutput(f.channel());

    final Channel client;

    private Channel server;
    private boolean active;
    private boolean clientInputShut;
    private boolean serverInputShut;
    private boolean clientReadPaused;
    private boolean serverReadPaused;
    /** Bytes the client sent before the backend connection was up (see {@link #holdEarly}). */
    private ArrayDeque<Object> early;

    RelaySession(BalancerConfig config, Admission admission, Backends backends, FrontendCounters frontend, Channel client) {
        super(config, admission, backends, frontend, client.eventLoop(), false);
        this.client = client;
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

    /** The client channel is active: once admitted, pick a server, or refuse the client at once when none is available. */
    void channelActive() {
        active = true;
        if (admitted()) {
            start();
        }
    }

    @Override
    boolean clientReady() {
        return active;
    }

    @Override
    InetSocketAddress clientAddress() {
        SocketAddress a = client.remoteAddress();
        return a instanceof InetSocketAddress ? (InetSocketAddress) a : null;
    }

    @Override
    boolean serverOpen() {
        return server != null;
    }

    @Override
    boolean halfClosed() {
        return clientInputShut || serverInputShut;
    }

    @Override
    void openServer(Server s) {
        Channel ch = NettyTransport.newBackendChannel(config.connectTimeoutMillis());
        ch.pipeline().addLast(new RelayHandler(this, false));
        server = ch;
        // registering from the event loop completes at once; the connect's outcome comes to operationComplete
        ChannelFuture registered = loop.register(ch);
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
        if (!f.isSuccess()) {
            connectFailed(f.cause()); // Netty's connect timeout fails the future with a ConnectTimeoutException
            return;
        }
        connected();
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
    }

    @Override
    void dropServer() {
        server = null; // a failed connect closes its channel
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

    /** Whether the client connected to {@code address} (a VIP), compared with the socket's local address. */
    @Override
    public boolean arrivedOn(InetAddress address) {
        SocketAddress local = client.localAddress();
        return local instanceof InetSocketAddress && address.equals(((InetSocketAddress) local).getAddress());
    }

    @Override
    void closeSockets(char why) {
        if (early != null) {
            Object m;
            while ((m = early.poll()) != null) {
                ReferenceCountUtil.release(m);
            }
            early = null;
        }
        ChannelFutureListener socketClosed = f -> socketClosed();
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

    @Override
    public String toString() {
        return "RelaySession[" + client + "]";
    }
}
