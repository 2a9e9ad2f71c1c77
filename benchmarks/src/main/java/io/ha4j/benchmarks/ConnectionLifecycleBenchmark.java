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
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One whole connection through the balancer, as wrk's {@code Connection: close} load does it: connect, send a
 * 64-byte request, read its 64-byte echo, close. {@code HA4J} goes client → TcpBalancer (one event loop, set up
 * as in the side-by-side harness) → echo backend, so each operation is also one accept, one backend connect and
 * two closes inside the balancer; {@code DIRECT} goes client → echo backend. {@code HA4J − DIRECT} is what the
 * balancer adds per connection, in time and, with {@code -prof gc}, in bytes allocated ({@code gc.alloc.rate.norm}
 * counts the whole JVM: client, echo backend and balancer).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ConnectionLifecycleBenchmark -prof gc -f 1 -wi 3 -i 5 -w 2s -r 3s}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ConnectionLifecycleBenchmark extends AbstractMicrobenchmark {

    private static final int SIZE = 64;

    @Param({"HA4J", "DIRECT"})
    public String path;

    private EchoServer echo;
    private EventLoopGroup group;
    private TcpBalancer balancer;
    private InetSocketAddress target;
    private ByteBuffer out;
    private ByteBuffer in;

    @Setup(Level.Trial)
    public void setUp() {
        echo = new EchoServer();
        if (RelayFixture.Path.valueOf(path) == RelayFixture.Path.HA4J) {
            boolean epoll = Epoll.isAvailable();
            group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("lifecycle-io", true),
                    epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            balancer = BalancerMain.newBalancer("lifecycle", new InetSocketAddress("127.0.0.1", 0), echo.address(), group,
                    epoll ? Transport.EPOLL : Transport.NIO, 1);
            balancer.start();
            target = balancer.boundAddresses().get(0);
        } else {
            target = echo.address();
        }
        out = ByteBuffer.allocateDirect(SIZE);
        for (int i = 0; i < SIZE; i++) {
            out.put(i, (byte) i);
        }
        in = ByteBuffer.allocateDirect(SIZE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (balancer != null) {
            balancer.close(Duration.ZERO);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        echo.close();
    }

    @Benchmark
    public ByteBuffer connectRequestClose() throws IOException {
        try (SocketChannel client = SocketChannel.open()) {
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            client.connect(target);
            out.clear();
            while (out.hasRemaining()) {
                client.write(out);
            }
            in.clear();
            while (in.hasRemaining()) {
                if (client.read(in) < 0) {
                    throw new EOFException("connection closed after " + in.position() + " of " + SIZE + " echoed bytes");
                }
            }
        }
        return in;
    }
}
