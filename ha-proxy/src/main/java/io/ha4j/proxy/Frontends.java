package io.ha4j.proxy;

import io.ha4j.core.HaStartException;
import io.ha4j.core.internal.RateLimitedLog;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

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
     * Binds every frontend of {@code config}; returns the bound addresses (actual ports), in order. With epoll the
     * listeners are {@link DirectAcceptor}s, one per event loop per address, whose clients go to
     * {@code onAcceptedDirect}; with NIO one Netty server channel per address, whose accepted channels go to
     * {@code onAccepted}.
     *
     * @throws IllegalStateException with epoll, when {@code group} is not made of epoll {@link IoEventLoop}s (a
     *     group given to {@link TcpBalancer.Builder#eventLoopGroup})
     */
    static List<InetSocketAddress> bind(BalancerConfig config, NettyTransport transport, EventLoopGroup group,
                                        Admission admission, Consumer<Channel> onAccepted,
                                        DirectAcceptor.Accepted onAcceptedDirect, RateLimitedLog acceptFailures) {
        if (transport.epoll) {
            if (!DirectAcceptor.supports(group)) {
                throw new IllegalStateException("eventLoopGroup of balancer '" + config.name() + "': the epoll transport needs "
                        + "epoll I/O event loops (new MultiThreadIoEventLoopGroup(n, EpollIoHandler.newFactory())), got " + group);
            }
            int perAddress = config.acceptorsPerAddress() != null ? config.acceptorsPerAddress()
                    : Math.max(1, Math.min(config.ioThreads(), 64));
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
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        onAccepted.accept(ch);
                    }
                });
        NettyTransport.childKeepAlive(sb);
        Set<InetSocketAddress> addresses = new LinkedHashSet<>();
        for (InetSocketAddress wanted : config.frontends()) {
            if (wanted.getPort() != 0) {
                probe(config.name(), wanted);
            }
            ChannelFuture f = sb.bind(wanted).awaitUninterruptibly();
            if (!f.isSuccess()) {
                throw inUse(config.name(), wanted, f.cause());
            }
            admission.addAcceptor(Admission.of(f.channel()));
            addresses.add((InetSocketAddress) f.channel().localAddress());
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
