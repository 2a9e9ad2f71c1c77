package io.ha4j.examples.handover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.VirtualAddress;
import io.ha4j.netlink.LinuxVipManager;
import io.ha4j.netlink.testing.TestNetwork;
import io.ha4j.proxy.TcpBalancer;
import java.net.InetSocketAddress;
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
            try (NamespaceBalancer vipBalancer = NamespaceBalancer.start(srv, "vip", b -> b.bind(vip.address().getHostAddress(), 7443)
                    .ioThreads(1).drainTimeout(Duration.ZERO).vipLeaveDrain(Duration.ofMillis(100)), vip)) {
                LinuxVipManager vips = vipBalancer.vips;
                TcpBalancer balancer = vipBalancer.balancer;
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
                }
                assertFalse(srv.addresses().contains(VIP), "the VIP is gone");
            }
        }
    }
}
