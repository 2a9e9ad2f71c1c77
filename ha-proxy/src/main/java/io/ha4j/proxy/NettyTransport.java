package io.ha4j.proxy;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
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

    Class<? extends SocketChannel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    boolean supportsReusePort() {
        return epoll;
    }

    void reusePort(ServerBootstrap b) {
        if (epoll) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
    }

    /** Keepalive probe timing on an accepted or connected socket (SO_KEEPALIVE itself is set by the caller). */
    void keepAliveTiming(AbstractBootstrap<?, ?> b, boolean child) {
        if (epoll) {
            option(b, child, EpollChannelOption.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
            option(b, child, EpollChannelOption.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS);
            option(b, child, EpollChannelOption.TCP_KEEPCNT, KEEPALIVE_COUNT);
        } else {
            option(b, child, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), KEEPALIVE_IDLE_SECONDS);
            option(b, child, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), KEEPALIVE_INTERVAL_SECONDS);
            option(b, child, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), KEEPALIVE_COUNT);
        }
    }

    private static <T> void option(AbstractBootstrap<?, ?> b, boolean child, ChannelOption<T> option, T value) {
        if (child) {
            ((ServerBootstrap) b).childOption(option, value);
        } else {
            b.option(option, value);
        }
    }
}
