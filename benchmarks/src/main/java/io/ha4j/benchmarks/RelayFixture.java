package io.ha4j.benchmarks;

import io.ha4j.proxy.TcpBalancer;
import io.ha4j.proxy.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * What the relay benchmarks share: an {@link EchoServer} backend, optionally a {@link TcpBalancer} in front of it
 * (one event loop thread, set up as in the side-by-side harness), and one blocking client connection through
 * the chosen path. The client uses preallocated direct buffers so that it allocates nothing itself: the
 * {@code gc.alloc.rate.norm} of the {@code DIRECT} path is the floor (echo server and JMH), and the difference
 * to {@code HA4J} is what the relay allocates per operation.
 */
final class RelayFixture implements AutoCloseable {

    /** Which way the client's bytes go to the echo server. */
    enum Path {
        /** client -> echo server: the baseline. */
        DIRECT,
        /** client -> TcpBalancer -> echo server. */
        HA4J
    }

    private final EchoServer echo;
    private final EventLoopGroup group;
    private final TcpBalancer balancer;
    private final SocketChannel client;

    RelayFixture(Path path) throws IOException {
        echo = new EchoServer();
        InetSocketAddress target;
        if (path == Path.HA4J) {
            boolean epoll = Epoll.isAvailable();
            group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("relay-io", true),
                    epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            balancer = BalancerMain.newBalancer("relay", new InetSocketAddress("127.0.0.1", 0), echo.address(), group,
                    epoll ? Transport.EPOLL : Transport.NIO, 1);
            balancer.start();
            target = balancer.boundAddresses().get(0);
        } else {
            group = null;
            balancer = null;
            target = echo.address();
        }
        client = SocketChannel.open();
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        client.connect(target);
    }

    /** Writes all of {@code out} (position to limit), then reads exactly as many bytes into {@code in}. */
    void roundTrip(ByteBuffer out, ByteBuffer in) throws IOException {
        int n = out.remaining();
        while (out.hasRemaining()) {
            client.write(out);
        }
        in.clear().limit(n);
        while (in.hasRemaining()) {
            if (client.read(in) < 0) {
                throw new EOFException("connection closed after " + in.position() + " of " + n + " echoed bytes");
            }
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
        if (balancer != null) {
            balancer.close(java.time.Duration.ZERO);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        echo.close();
    }
}
