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
import io.netty.channel.epoll.LinuxSocket;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Binds a balancer's listening sockets. With epoll: one socket per frontend address, served by up to
 * {@code acceptors} event loops at once ({@link DirectAcceptor}, {@code EPOLLEXCLUSIVE}): a new client wakes one
 * loop that waits in epoll, so clients go to idle loops first, as HAProxy's threads share a listener. (One socket
 * per loop with {@code SO_REUSEPORT}, as before, lets the kernel hash clients to loops whatever their load: with two
 * loops, {@code Connection: close} traffic ran at 0.89 of HAProxy's rate with a p99 1.57 times HAProxy's, and at
 * 1.06 and 0.98 with the shared socket; benchmarks/RESULTS.md.) With NIO: one Netty server channel per address.
 *
 * <p>No socket sets {@code SO_REUSEPORT}, so binding an address that anything listens on already fails, and the
 * start fails with one line naming the address, as HAProxy's does.
 */
final class Frontends {

    private Frontends() {
    }

    /**
     * Binds every frontend of {@code config}; returns the bound addresses (actual ports), in order. With epoll the
     * listeners are {@link DirectAcceptor}s, one per event loop per address, whose clients go to
     * {@code onAcceptedDirect}, and each listening socket's {@link SynGate} is added to {@code gates}; with NIO one
     * Netty server channel per address, whose accepted channels go to {@code onAccepted}, and no gate.
     *
     * @throws IllegalStateException with epoll, when {@code group} is not made of epoll {@link IoEventLoop}s (a
     *     group given to {@link TcpBalancer.Builder#eventLoopGroup})
     */
    static List<InetSocketAddress> bind(BalancerConfig config, NettyTransport transport, EventLoopGroup group,
                                        Admission admission, Consumer<Channel> onAccepted,
                                        DirectAcceptor.Accepted onAcceptedDirect, RateLimitedLog acceptFailures,
                                        List<SynGate> gates) {
        if (transport.epoll) {
            if (!DirectAcceptor.supports(group)) {
                throw new IllegalStateException("eventLoopGroup of balancer '" + config.name() + "': the epoll transport needs "
                        + "epoll I/O event loops (new MultiThreadIoEventLoopGroup(n, EpollIoHandler.newFactory())), got " + group);
            }
            int perAddress = config.acceptorsPerAddress() != null ? config.acceptorsPerAddress()
                    : Math.max(1, Math.min(config.ioThreads(), 64));
            return bindDirect(config, group, admission, perAddress, onAcceptedDirect, acceptFailures, gates);
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
                                                      RateLimitedLog acceptFailures, List<SynGate> gates) {
        List<IoEventLoop> loops = DirectAcceptor.loops(group);
        Set<InetSocketAddress> addresses = new LinkedHashSet<>();
        int next = 0;
        int perLoop = Math.min(perAddress, loops.size());
        DirectAcceptor.LoopLoad load = perLoop > 1 ? new DirectAcceptor.LoopLoad(loops) : null;
        for (InetSocketAddress wanted : config.frontends()) {
            LinuxSocket socket;
            try {
                socket = DirectAcceptor.listen(wanted, config.backlog());
            } catch (IOException e) {
                throw inUse(config.name(), wanted, e);
            }
            SynGate gate = DirectAcceptor.gate(socket);
            for (int i = 0; i < perLoop; i++) {
                IoEventLoop loop = loops.get(next++ % loops.size());
                try {
                    admission.addAcceptor(DirectAcceptor.serve(loop, socket, gate, load, config.name(), acceptFailures, onAccepted));
                } catch (IOException e) {
                    if (i == 0) {
                        DirectAcceptor.closeQuietly(socket);
                    }
                    throw inUse(config.name(), wanted, e);
                }
            }
            addresses.add(socket.localAddress());
            gates.add(gate);
        }
        return List.copyOf(addresses);
    }

    private static final Pattern NATIVE_ERROR_PREFIX = Pattern.compile("^\\w+\\(\\.\\.\\) failed with error\\(-?\\d+\\): ");

    private static HaStartException inUse(String balancer, SocketAddress address, Throwable cause) {
        String where = address instanceof InetSocketAddress ? AbstractSession.format((InetSocketAddress) address) : String.valueOf(address);
        // Netty's native errors read "bind(..) failed with error(-98): Address already in use"; the JDK's, as HAProxy's,
        // just the reason, which is what an operator needs after "cannot listen on ADDRESS"
        String why = cause == null || cause.getMessage() == null ? "bind failed"
                : NATIVE_ERROR_PREFIX.matcher(cause.getMessage()).replaceFirst("");
        BindException e = new BindException("cannot listen on " + where + ": " + why
                + (cause instanceof BindException || why.contains("in use") ? " (another balancer or process listens there)" : ""));
        return new HaStartException(balancer, e);
    }
}
