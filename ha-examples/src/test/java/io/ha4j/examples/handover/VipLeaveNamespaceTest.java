package io.ha4j.examples.handover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The balancer's side of a planned VRRP move for real: a TcpBalancer in one network namespace listens on a VIP that
 * the Linux VIP manager added; a client in another namespace is connected through the VIP. When the VIP manager
 * announces that the VIP is leaving (what VRRP does when it hears the new master) and then removes it, the client's
 * connection ends with an EOF at once, not with a read timeout, and the balancer counts it.
 */
@Tag("privileged")
@Timeout(60)
class VipLeaveNamespaceTest {

    private static final String VIP = "198.18.0.100/32";

    @Test
    void aClientConnectedThroughTheVipSeesItsConnectionEndWhenTheVipLeaves() throws Exception {
        TestNetwork.requirePrivileges();
        try (TestNetwork network = TestNetwork.create("vlv")) {
            TestNetwork.Node srv = network.addNode("srv");
            TestNetwork.Node cl = network.addNode("cl");
            VirtualAddress vip = VirtualAddress.parse(VIP, TestNetwork.NODE_INTERFACE);
            try (LinuxVipManager vips = srv.run(LinuxVipManager::open);
                 ServerSocket backend = srv.run(() -> new ServerSocket(0, 4, InetAddress.getLoopbackAddress()));
                 // threads started from a thread in srv's namespace stay there: health checks reach the backend
                 SystemScheduler scheduler = srv.run(() -> Scheduler.newSingleThread("vip-leave-ns"));
                 ComponentContext context = ComponentContext.builder().clusterName("vlv").scheduler(scheduler)
                         .blockingExecutor(ComponentContext.newBlockingExecutor("vip-leave-ns")).vipManager(vips).build()) {
                srv.run(() -> {
                    vips.add(vip);
                    return null;
                });
                Thread echo = new Thread(() -> echo(backend), "echo");
                echo.setDaemon(true);
                echo.start();
                TcpBalancer balancer = TcpBalancer.builder("vip").bind(vip.address().getHostAddress(), 7443).ioThreads(1)
                        .drainTimeout(Duration.ZERO).vipLeaveDrain(Duration.ofMillis(100))
                        .backend(Backend.of("b", "127.0.0.1", backend.getLocalPort()))
                        .healthCheck(b -> HealthCheck.tcp(b.address())).build();
                srv.run(() -> {
                    balancer.start(context);
                    return null;
                });
                assertTrue(Await.holdsWithin(Duration.ofSeconds(20), () -> balancer.stats().backendsUp() == 1), "backend up");
                try (Socket client = cl.run(() -> {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(vip.address(), 7443), 5_000);
                    s.setSoTimeout(10_000); // a hang fails the test instead of blocking it; not a speed assertion
                    return s;
                })) {
                    byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
                    client.getOutputStream().write(hello);
                    assertArrayEquals(hello, client.getInputStream().readNBytes(hello.length), "relayed through the VIP");

                    vips.releasing(vip); // VRRP heard the new master
                    assertEquals(-1, client.getInputStream().read(), "EOF: the balancer ended the connection on the VIP");
                    vips.remove(vip); // VRRP, handoverLinger later
                    assertEquals(1, balancer.stats().closedOnVipLeave());
                } finally {
                    balancer.close();
                }
                assertFalse(srv.addresses().contains(VIP), "the VIP is gone");
            }
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
