package io.ha4j.benchmarks;

import io.ha4j.core.HaCluster;
import io.ha4j.core.HealthCheck;
import io.ha4j.netlink.LinuxVipManager;
import io.ha4j.proxy.Backend;
import io.ha4j.proxy.TcpBalancer;
import io.ha4j.proxy.Transport;
import io.ha4j.vrrp.RawSocketTransport;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpListener;
import io.ha4j.vrrp.VrrpState;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The ha4j node of {@code benchmarks/soak.sh}: what keepalived plus HAProxy are on the keepalived node, in one
 * process. One {@link HaCluster} runs a {@link VrrpInstance} (ha-vrrp's {@link RawSocketTransport}, ha-netlink's
 * {@link LinuxVipManager}) and a {@link TcpBalancer} listening on {@code --listen} (the wildcard address, so it
 * accepts on the VIP whenever this node holds it) in front of one backend with a TCP health check, as
 * {@code server s1 ... check} would be in haproxy.cfg.
 *
 * <pre>
 * ip netns exec NS java -cp benchmarks/target/benchmarks.jar io.ha4j.benchmarks.SoakNodeMain \
 *     --interface eth0 --vrid 51 --priority 200 --advert-ms 200 --vip 198.18.0.10/24 \
 *     --listen 0.0.0.0:7443 --backend 127.0.0.1:7001 [--session-timeout-s 10]
 * </pre>
 *
 * Prints {@code STATE <from> <to> <epoch-ms> <reason>} on every VRRP state change. The event loop threads are
 * started before {@code STARTED} is printed, so that the thread count the soak compares does not grow with the
 * first connections (Netty starts a loop's thread lazily). SIGTERM closes the cluster; SIGKILL is the crash.
 */
public final class SoakNodeMain {

    private SoakNodeMain() {
    }

    /** Parsed command line. */
    static final class Options {
        String interfaceName = "eth0";
        int vrid = 51;
        int priority = 100;
        int version = 3;
        long advertMillis = 1000;
        String vip;
        InetSocketAddress listen = new InetSocketAddress("0.0.0.0", 7443);
        InetSocketAddress backend;
        int ioThreads = 1;
        int sessionTimeoutSeconds = 10;

        static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--interface": o.interfaceName = v; break;
                    case "--vrid": o.vrid = Integer.parseInt(v); break;
                    case "--priority": o.priority = Integer.parseInt(v); break;
                    case "--version": o.version = Integer.parseInt(v); break;
                    case "--advert-ms": o.advertMillis = Long.parseLong(v); break;
                    case "--vip": o.vip = v; break;
                    case "--listen": o.listen = BalancerMain.Options.address(v); break;
                    case "--backend": o.backend = BalancerMain.Options.address(v); break;
                    case "--io-threads":
                        o.ioThreads = Integer.parseInt(v);
                        if (o.ioThreads < 1 || o.ioThreads > 64) {
                            throw new IllegalArgumentException("--io-threads must be in [1, 64], was " + o.ioThreads);
                        }
                        break;
                    case "--session-timeout-s":
                        o.sessionTimeoutSeconds = Integer.parseInt(v);
                        if (o.sessionTimeoutSeconds < 1 || o.sessionTimeoutSeconds > 3600) {
                            throw new IllegalArgumentException("--session-timeout-s must be in [1, 3600], was "
                                    + o.sessionTimeoutSeconds);
                        }
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + a + " (known: --interface --vrid --priority"
                                + " --version --advert-ms --vip --listen --backend --io-threads --session-timeout-s)");
                }
            }
            if (o.vip == null) {
                throw new IllegalArgumentException("--vip CIDR is required, e.g. --vip 198.18.0.10/24");
            }
            if (o.backend == null) {
                throw new IllegalArgumentException("--backend host:port is required, e.g. --backend 127.0.0.1:7001");
            }
            return o;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("SoakNodeMain: " + e.getMessage());
            System.exit(2);
            return;
        }
        VrrpInstance instance = VrrpInstance.builder("VI_1")
                .interfaceName(o.interfaceName)
                .virtualRouterId(o.vrid)
                .priority(o.priority)
                .version(o.version)
                .advertInterval(Duration.ofMillis(o.advertMillis))
                .virtualAddress(o.vip)
                .transport(RawSocketTransport.factory())
                .build();
        instance.addListener(new VrrpListener() {
            @Override
            public void stateChanged(VrrpInstance i, VrrpState from, VrrpState to, String reason) {
                System.out.println("STATE " + from + " " + to + " " + Instant.now().toEpochMilli() + " " + reason);
                System.out.flush();
            }
        });
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(o.ioThreads, new DefaultThreadFactory("soak-io", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        for (EventExecutor loop : group) {
            loop.submit(() -> { }).syncUninterruptibly();
        }
        TcpBalancer balancer = TcpBalancer.builder("soak")
                .bind(o.listen)
                .backend(Backend.builder("s1", o.backend.getHostString(), o.backend.getPort())
                        .check(HealthCheck.tcp(o.backend))
                        .build())
                .eventLoopGroup(group)
                .transport(epoll ? Transport.EPOLL : Transport.NIO)
                .connectTimeout(Duration.ofSeconds(2))
                // as the keepalived node's haproxy.cfg (timeout client/server, no timeout tunnel): a session whose
                // client left with the VIP ends after this idle time, not after the 24 h tunnel default
                .tunnelTimeout(Duration.ZERO)
                .clientTimeout(Duration.ofSeconds(o.sessionTimeoutSeconds))
                .serverTimeout(Duration.ofSeconds(o.sessionTimeoutSeconds))
                .drainTimeout(Duration.ZERO)
                .build();
        LinuxVipManager vips = LinuxVipManager.open();
        HaCluster cluster = HaCluster.builder().name("soak-" + o.priority).vipManager(vips).add(instance).add(balancer)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            vips.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            System.out.println("STOPPED " + Instant.now().toEpochMilli() + " " + instance.counters());
            System.out.flush();
            stopped.countDown();
        }, "soak-shutdown"));
        cluster.start();
        System.out.println("STARTED " + Instant.now().toEpochMilli() + " vrid " + o.vrid + " priority " + o.priority
                + " advert " + o.advertMillis + " ms on " + o.interfaceName + ", balancer " + balancer.boundAddresses()
                + " -> " + o.backend + " (" + balancer.transportName() + ")");
        System.out.flush();
        stopped.await();
    }
}
