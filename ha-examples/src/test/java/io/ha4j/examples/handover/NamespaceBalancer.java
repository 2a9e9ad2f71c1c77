package io.ha4j.examples.handover;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.ComponentContext;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.Scheduler;
import io.ha4j.core.SystemScheduler;
import io.ha4j.core.VirtualAddress;
import io.ha4j.core.testkit.Await;
import io.ha4j.netlink.LinuxVipManager;
import io.ha4j.netlink.testing.TestNetwork;
import io.ha4j.proxy.Backend;
import io.ha4j.proxy.TcpBalancer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A {@link TcpBalancer} running inside one node of a {@link TestNetwork}, for the handover tests: the node's real
 * {@link LinuxVipManager} with the given VIPs added, an echo backend on the node's loopback with a TCP check, and the
 * balancer started, its backend up. Threads started from a thread inside the node's namespace stay there, so the
 * scheduler (and with it the health checks) is made there too.
 */
final class NamespaceBalancer implements AutoCloseable {

    final LinuxVipManager vips;
    final TcpBalancer balancer;
    private final ServerSocket backend;
    private final SystemScheduler scheduler;
    private final ComponentContext context;

    private NamespaceBalancer(LinuxVipManager vips, ServerSocket backend, SystemScheduler scheduler, ComponentContext context,
                              TcpBalancer balancer) {
        this.vips = vips;
        this.backend = backend;
        this.scheduler = scheduler;
        this.context = context;
        this.balancer = balancer;
    }

    /**
     * Starts balancer {@code name} on {@code node} with {@code vips} added first; {@code configure} sets what the test
     * is about (bind address, transport, drains) on a builder that already has the echo backend and its check.
     */
    static NamespaceBalancer start(TestNetwork.Node node, String name, UnaryOperator<TcpBalancer.Builder> configure,
                                   VirtualAddress... vipsToAdd) throws Exception {
        LinuxVipManager vips = node.run(LinuxVipManager::open);
        ServerSocket backend = null;
        SystemScheduler scheduler = null;
        ComponentContext context = null;
        try {
            backend = node.run(() -> new ServerSocket(0, 16, InetAddress.getLoopbackAddress()));
            scheduler = node.run(() -> Scheduler.newSingleThread(name + "-ns"));
            context = ComponentContext.builder().clusterName(name).scheduler(scheduler)
                    .blockingExecutor(ComponentContext.newBlockingExecutor(name + "-ns")).vipManager(vips).build();
            node.run(() -> {
                for (VirtualAddress vip : vipsToAdd) {
                    vips.add(vip);
                }
                return null;
            });
            ServerSocket echoed = backend;
            Thread echo = new Thread(() -> echo(echoed), "echo");
            echo.setDaemon(true);
            echo.start();
            TcpBalancer balancer = configure.apply(TcpBalancer.builder(name)
                    .backend(Backend.of("b", "127.0.0.1", backend.getLocalPort()))
                    .healthCheck(b -> HealthCheck.tcp(b.address()))).build();
            ComponentContext started = context;
            node.run(() -> {
                balancer.start(started);
                return null;
            });
            NamespaceBalancer running = new NamespaceBalancer(vips, backend, scheduler, context, balancer);
            assertTrue(Await.holdsWithin(Duration.ofSeconds(20), () -> balancer.stats().backendsUp() == 1), "backend up");
            return running;
        } catch (Exception | Error e) {
            closeAll(null, context, scheduler, backend, vips);
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        closeAll(balancer, context, scheduler, backend, vips);
    }

    private static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Echoes every connection (health checks and the relay) until the server socket closes. */
    private static void echo(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException e) {
                        // the peer closed or reset: this connection is over
                    }
                }, "echo-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed at the end of the test
            }
        }
    }
}
