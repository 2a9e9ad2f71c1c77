package io.ha4j.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import jdk.net.ExtendedSocketOptions;

/**
 * The chosen Netty transport: native epoll when it loads (the balancer then relays through {@link DirectAcceptor}
 * and {@link DirectSession}; every event loop accepts from one shared listening socket), the JDK's NIO otherwise
 * ({@link RelaySession} on Netty channels). The admin listener uses Netty channels on either.
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

    /**
     * A new, unregistered NIO socket for a backend connection of {@link RelaySession}, configured as every relayed
     * socket is (reads on demand, half-close passed on, keepalive, the relay's water marks; TCP_NODELAY is Netty's
     * default). With epoll the balancer relays through {@link DirectSession} and makes no channel per connection.
     */
    static Channel newBackendChannel(int connectTimeoutMillis) {
        NioSocketChannel ch = new NioSocketChannel();
        SocketChannelConfig c = ch.config();
        c.setAutoRead(false);
        c.setAllowHalfClosure(true);
        c.setWriteBufferWaterMark(TcpBalancer.WATER_MARK);
        c.setConnectTimeoutMillis(connectTimeoutMillis);
        c.setKeepAlive(true);
        c.setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), KEEPALIVE_IDLE_SECONDS);
        c.setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), KEEPALIVE_INTERVAL_SECONDS);
        c.setOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), KEEPALIVE_COUNT);
        return ch;
    }

    /** Keepalive on every socket a NIO listener accepts (a direct listener sets it once, on itself). */
    static void childKeepAlive(ServerBootstrap b) {
        b.childOption(ChannelOption.SO_KEEPALIVE, true);
        b.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), KEEPALIVE_IDLE_SECONDS);
        b.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), KEEPALIVE_INTERVAL_SECONDS);
        b.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), KEEPALIVE_COUNT);
    }
}
