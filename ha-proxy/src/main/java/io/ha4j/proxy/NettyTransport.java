package io.ha4j.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollSocketChannelConfig;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import jdk.net.ExtendedSocketOptions;

/**
 * The chosen Netty transport: native epoll when it loads (level-triggered in Netty 4.2; SO_REUSEPORT lets
 * several acceptors share a port), the JDK's NIO otherwise.
 */
final class NettyTransport {

    /** TCP keepalive: first probe after 60 s idle, then every 10 s, dead after 6 unanswered (~2 min). */
    static final int KEEPALIVE_IDLE_SECONDS = 60;
    static final int KEEPALIVE_INTERVAL_SECONDS = 10;
    static final int KEEPALIVE_COUNT = 6;

    final boolean epoll;

    private NettyTransport(boolean epoll) {
        this.epoll = epoll;
    }

    static NettyTransport choose(Transport wanted) {
        switch (wanted) {
            case EPOLL:
                Epoll.ensureAvailability();
                return new NettyTransport(true);
            case NIO:
                return new NettyTransport(false);
            default:
                return new NettyTransport(Epoll.isAvailable());
        }
    }

    String name() {
        return epoll ? "epoll" : "nio";
    }

    IoHandlerFactory ioHandlerFactory() {
        return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    boolean supportsReusePort() {
        return epoll;
    }

    void reusePort(ServerBootstrap b) {
        if (epoll) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
    }

    /**
     * A new, unregistered socket for a backend connection to {@code target}, configured as every relayed socket
     * is (reads on demand, half-close passed on, keepalive, the relay's water marks; TCP_NODELAY is Netty's
     * default on both transports).
     *
     * <p>Why not a {@code Bootstrap}: a backend is connected once per client, and a bootstrap clone per connect
     * copies its option and attribute maps, creates the channel reflectively and sets every option through the
     * generic option path. Made here, the socket is of the target's address family (an IPv4 backend gets an
     * {@code AF_INET} socket, no dual-stack {@code IPV6_V6ONLY} call) and its epoll interest set already holds
     * {@link EpollInterestPin}'s flag when it is registered, which saves an {@code epoll_ctl} per connection.
     */
    Channel newBackendChannel(InetSocketAddress target, int connectTimeoutMillis) {
        if (epoll) {
            EpollSocketChannel ch = new EpollSocketChannel(
                    target.getAddress() instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6);
            EpollInterestPin.pin(ch);
            EpollSocketChannelConfig c = ch.config();
            relayOptions(c, connectTimeoutMillis);
            c.setKeepAlive(true);
            c.setTcpKeepIdle(KEEPALIVE_IDLE_SECONDS);
            c.setTcpKeepIntvl(KEEPALIVE_INTERVAL_SECONDS);
            c.setTcpKeepCnt(KEEPALIVE_COUNT);
            return ch;
        }
        NioSocketChannel ch = new NioSocketChannel();
        SocketChannelConfig c = ch.config();
        relayOptions(c, connectTimeoutMillis);
        c.setKeepAlive(true);
        c.setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), KEEPALIVE_IDLE_SECONDS);
        c.setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), KEEPALIVE_INTERVAL_SECONDS);
        c.setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), KEEPALIVE_COUNT);
        return ch;
    }

    private static void relayOptions(SocketChannelConfig c, int connectTimeoutMillis) {
        c.setAutoRead(false);
        c.setAllowHalfClosure(true);
        c.setWriteBufferWaterMark(TcpBalancer.WATER_MARK);
        c.setConnectTimeoutMillis(connectTimeoutMillis);
    }

    /**
     * Sets on a bound listening socket what Linux copies to every socket it accepts, so that it costs no
     * {@code setsockopt} per connection: {@code SO_KEEPALIVE} (TCP_NODELAY is set by Netty on each accepted epoll
     * socket anyway). NIO sets it per accepted socket instead (a child option).
     */
    void inheritedByAccepted(Channel listener) {
        if (epoll && listener.isOpen()) {
            try {
                ((Socket) ((EpollServerSocketChannel) listener).fd()).setKeepAlive(true);
            } catch (IOException e) {
                throw new ChannelException("cannot set SO_KEEPALIVE on " + listener, e);
            }
        }
    }

    /** Keepalive probe timing on every accepted socket (SO_KEEPALIVE itself: {@link #inheritedByAccepted}). */
    void childKeepAliveTiming(ServerBootstrap b) {
        if (epoll) {
            b.childOption(EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
            b.childOption(EpollChannelOption.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS);
            b.childOption(EpollChannelOption.TCP_KEEPCNT, KEEPALIVE_COUNT);
        } else {
            b.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), KEEPALIVE_IDLE_SECONDS);
            b.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), KEEPALIVE_INTERVAL_SECONDS);
            b.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), KEEPALIVE_COUNT);
        }
    }
}
