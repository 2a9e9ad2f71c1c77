package io.ha4j.proxy;

import io.ha4j.core.HaStartException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import io.ha4j.core.internal.RateLimitedLog;
import io.netty.channel.IoEventLoop;

/**
 * Binds a balancer's listening sockets: {@code acceptors} per frontend address, sharing the port through
 * {@code SO_REUSEPORT} so that the kernel spreads clients over the event loops.
 *
 * <p>{@code SO_REUSEPORT} would also let a second balancer, in this process or another one of the same user,
 * bind the same address and silently take a share of the clients. So before binding its group a balancer
 * probes the address with a plain socket (no {@code SO_REUSEPORT}): the probe fails when anything listens
 * there already, and the start fails with one line naming the address, as HAProxy's does. The window between
 * the probe and the group's bind is a few microseconds.
 */
final class Frontends {

    private Frontends() {
    }

    /**
     * Binds every frontend of {@code config}; returns the bound addresses (actual ports), in order. With epoll
     * (and a group of epoll loops) the listeners are {@link DirectAcceptor}s whose clients go to
     * {@code onAcceptedDirect}; otherwise Netty server channels whose accepted channels go to {@code onAccepted}.
     */
    static List<InetSocketAddress> bind(BalancerConfig config, NettyTransport transport, EventLoopGroup group,
                                        Admission admission, Consumer<Channel> onAccepted,
                                        DirectAcceptor.Accepted onAcceptedDirect, RateLimitedLog acceptFailures) {
        int perAddress = config.acceptorsPerAddress() != null ? config.acceptorsPerAddress()
                : Math.max(1, Math.min(config.ioThreads(), 64));
        if (!transport.supportsReusePort()) {
            perAddress = 1;
        }
        if (transport.epoll && DirectAcceptor.supports(group)) {
            return bindDirect(config, group, admission, perAddress, onAcceptedDirect, acceptFailures);
        }
        ServerBootstrap sb = new ServerBootstrap()
                .group(group, group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, config.backlog())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, TcpBalancer.WATER_MARK)
                .handler(PinAccepted.INSTANCE)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        onAccepted.accept(ch);
                    }
                });
        if (perAddress > 1) {
            transport.reusePort(sb);
        }
        if (!transport.epoll) {
            sb.childOption(ChannelOption.SO_KEEPALIVE, true); // with epoll: the listener's, inherited (inheritedByAccepted)
        }
        transport.childKeepAliveTiming(sb);
        Set<InetSocketAddress> addresses = new LinkedHashSet<>();
        for (InetSocketAddress wanted : config.frontends()) {
            if (wanted.getPort() != 0) {
                probe(config.name(), wanted);
            }
            SocketAddress actual = wanted;
            for (int i = 0; i < perAddress; i++) {
                ChannelFuture f = sb.bind(actual).awaitUninterruptibly();
                if (!f.isSuccess()) {
                    throw inUse(config.name(), actual, f.cause());
                }
                transport.inheritedByAccepted(f.channel());
                admission.addAcceptor(Admission.of(f.channel()));
                actual = f.channel().localAddress();
            }
            addresses.add((InetSocketAddress) actual);
        }
        return List.copyOf(addresses);
    }

    private static List<InetSocketAddress> bindDirect(BalancerConfig config, EventLoopGroup group, Admission admission,
                                                      int perAddress, DirectAcceptor.Accepted onAccepted,
                                                      RateLimitedLog acceptFailures) {
        List<IoEventLoop> loops = DirectAcceptor.loops(group);
        Set<InetSocketAddress> addresses = new LinkedHashSet<>();
        int next = 0;
        for (InetSocketAddress wanted : config.frontends()) {
            if (wanted.getPort() != 0) {
                probe(config.name(), wanted);
            }
            InetSocketAddress actual = wanted;
            for (int i = 0; i < perAddress; i++) {
                IoEventLoop loop = loops.get(next++ % loops.size());
                DirectAcceptor a;
                try {
                    a = DirectAcceptor.bind(loop, actual, config.backlog(), perAddress > 1, config.name(), acceptFailures, onAccepted);
                } catch (IOException e) {
                    throw inUse(config.name(), actual, e);
                }
                admission.addAcceptor(a);
                actual = a.localAddress();
            }
            addresses.add(actual);
        }
        return List.copyOf(addresses);
    }

    /**
     * Sits on each listening channel before Netty's acceptor and pins {@link EpollInterestPin}'s flag on every
     * accepted channel while it is not registered yet, so that it is part of the channel's first
     * {@code EPOLL_CTL_ADD} instead of costing an {@code EPOLL_CTL_MOD} per connection.
     */
    @ChannelHandler.Sharable
    static final class PinAccepted extends ChannelInboundHandlerAdapter {
        static final PinAccepted INSTANCE = new PinAccepted();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel) {
                EpollInterestPin.pin((Channel) msg);
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Fails when anything listens on {@code address} already (even with {@code SO_REUSEPORT}). */
    private static void probe(String balancer, InetSocketAddress address) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address, 1);
        } catch (IOException e) {
            throw inUse(balancer, address, e);
        }
    }

    private static HaStartException inUse(String balancer, SocketAddress address, Throwable cause) {
        String where = address instanceof InetSocketAddress ? RelaySession.format((InetSocketAddress) address) : String.valueOf(address);
        String why = cause == null || cause.getMessage() == null ? "bind failed" : cause.getMessage();
        BindException e = new BindException("cannot listen on " + where + ": " + why
                + (cause instanceof BindException || why.contains("in use") ? " (another balancer or process listens there)" : ""));
        return new HaStartException(balancer, e);
    }
}
