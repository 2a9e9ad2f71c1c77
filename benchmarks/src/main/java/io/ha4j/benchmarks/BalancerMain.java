package io.ha4j.benchmarks;

import io.ha4j.core.HealthCheck;
import io.ha4j.proxy.Backend;
import io.ha4j.proxy.TcpBalancer;
import io.ha4j.proxy.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The ha4j side of {@code benchmarks/side-by-side.sh}: one TCP balancer per {@code --route}, all on one
 * shared event loop group of {@code --threads} threads, configured like the harness's HAProxy
 * ({@code mode tcp}, one server, no health check, connect 5s, client/server 60s, tunnel 1h, maxconn 8192), so
 * that HAProxy's {@code nbthread N} and ha4j's N event loops do the same work.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.ha4j.benchmarks.BalancerMain --threads 1 \
 *     --route 127.0.0.1:49080=127.0.0.1:47080 [--route ...] [--transport auto|epoll|nio] [--check]
 * </pre>
 *
 * Runs until SIGTERM/SIGINT, then closes the balancers (no drain) and the group.
 */
public final class BalancerMain {

    private BalancerMain() {
    }

    /** Parsed command line. */
    static final class Options {
        int threads = 1;
        Transport transport = Transport.AUTO;
        boolean check;
        final List<InetSocketAddress[]> routes = new ArrayList<>();

        static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--threads":
                        o.threads = Integer.parseInt(value(args, ++i, a));
                        if (o.threads < 1 || o.threads > 1024) {
                            throw new IllegalArgumentException("--threads must be in [1, 1024], was " + o.threads);
                        }
                        break;
                    case "--check":
                        o.check = true;
                        break;
                    case "--transport":
                        o.transport = Transport.valueOf(value(args, ++i, a).toUpperCase(java.util.Locale.ROOT));
                        break;
                    case "--route":
                        String r = value(args, ++i, a);
                        int eq = r.indexOf('=');
                        if (eq < 0) {
                            throw new IllegalArgumentException("--route must be listenHost:port=backendHost:port, was " + r);
                        }
                        o.routes.add(new InetSocketAddress[] {address(r.substring(0, eq)), address(r.substring(eq + 1))});
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + a
                                + " (known: --threads N, --route host:port=host:port, --transport auto|epoll|nio, --check)");
                }
            }
            if (o.routes.isEmpty()) {
                throw new IllegalArgumentException("at least one --route listenHost:port=backendHost:port is required");
            }
            return o;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        static InetSocketAddress address(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("address must be host:port, was " + hostPort);
            }
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be in [1, 65535], was " + port + " in " + hostPort);
            }
            return new InetSocketAddress(hostPort.substring(0, colon), port);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("BalancerMain: " + e.getMessage());
            System.exit(2);
            return;
        }
        boolean epoll = o.transport == Transport.EPOLL || (o.transport == Transport.AUTO && Epoll.isAvailable());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(o.threads, new DefaultThreadFactory("bench-io", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        List<TcpBalancer> balancers = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (TcpBalancer b : balancers) {
                b.close(Duration.ZERO);
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            stopped.countDown();
        }, "bench-shutdown"));
        int n = 0;
        for (InetSocketAddress[] route : o.routes) {
            TcpBalancer b = newBalancer("route" + (n++), route[0], route[1], group, epoll ? Transport.EPOLL : Transport.NIO,
                    o.threads, o.check);
            balancers.add(b);
            b.start();
            System.out.println("ha4j TcpBalancer " + b.name() + " " + b.boundAddresses() + " -> " + route[1]
                    + " (" + b.transportName() + ", " + o.threads + " event loop thread(s))");
        }
        stopped.await();
    }

    /** A balancer set up like the harness's HAProxy {@code listen} section (no check: the server is always up). */
    static TcpBalancer newBalancer(String name, InetSocketAddress listen, InetSocketAddress backend,
                                   EventLoopGroup group, Transport transport, int acceptors) {
        return newBalancer(name, listen, backend, group, transport, acceptors, false);
    }

    /**
     * With {@code check}, the server is checked as HAProxy's {@code server ... check} does it in {@code mode tcp}:
     * a TCP connect every 2 s (the checker's default timers).
     */
    static TcpBalancer newBalancer(String name, InetSocketAddress listen, InetSocketAddress backend,
                                   EventLoopGroup group, Transport transport, int acceptors, boolean check) {
        return TcpBalancer.builder(name)
                .bind(listen)
                .backend(Backend.builder("s1", backend.getHostString(), backend.getPort())
                        .check(check ? HealthCheck.tcp(backend) : HealthCheck.of("none (benchmark backend is always up)", () -> true))
                        .build())
                .eventLoopGroup(group)
                .transport(transport)
                .acceptors(acceptors)
                .maxConnections(8192)
                .connectTimeout(Duration.ofSeconds(5))
                .clientTimeout(Duration.ofSeconds(60))
                .serverTimeout(Duration.ofSeconds(60))
                .tunnelTimeout(Duration.ofHours(1))
                .slowStart(Duration.ZERO)
                .drainTimeout(Duration.ZERO)
                .build();
    }
}
