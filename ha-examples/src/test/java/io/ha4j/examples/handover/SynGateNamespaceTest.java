package io.ha4j.examples.handover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.VirtualAddress;
import io.ha4j.core.testkit.Await;
import io.ha4j.netlink.LinuxVipManager;
import io.ha4j.netlink.testing.TestNetwork;
import io.ha4j.proxy.TcpBalancer;
import io.ha4j.proxy.Transport;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The balancer's gate on a leaving VIP, with real sockets in network namespaces: from the moment the VIP manager
 * announces that a VIP is leaving until it is removed or added again, a new client's SYN to that VIP is dropped
 * unanswered (its connect neither completes nor is refused), while the same wildcard listener still takes clients of
 * the node's own address, and connections accepted before keep relaying.
 */
@Tag("privileged")
@Timeout(120)
class SynGateNamespaceTest {

    private static final String VIP = "198.18.0.100/32";
    private static final String SECOND_VIP = "198.18.0.101/32";
    private static final int PORT = 7443;
    /** Below the client's first SYN retransmission (1 s): a dropped SYN times out, a refused one fails at once. */
    private static final int GATED_CONNECT_WAIT_MS = 600;

    @Test
    void aLeavingVipsNewClientsAreDroppedWhileTheListenersOtherAddressesAndEstablishedClientsGoOn() throws Exception {
        TestNetwork.requirePrivileges();
        try (TestNetwork network = TestNetwork.create("syng")) {
            TestNetwork.Node srv = network.addNode("srv");
            TestNetwork.Node cl = network.addNode("cl");
            VirtualAddress vip = VirtualAddress.parse(VIP, TestNetwork.NODE_INTERFACE);
            VirtualAddress second = VirtualAddress.parse(SECOND_VIP, TestNetwork.NODE_INTERFACE);
            InetSocketAddress onVip = new InetSocketAddress(vip.address(), PORT);
            InetSocketAddress onSecond = new InetSocketAddress(second.address(), PORT);
            InetSocketAddress onNode = new InetSocketAddress(srv.ipv4(), PORT);
            try (NamespaceBalancer gate = NamespaceBalancer.start(srv, "gate", b -> b.bind("0.0.0.0", PORT).ioThreads(1)
                    .transport(Transport.EPOLL).drainTimeout(Duration.ZERO).vipLeaveDrain(Duration.ofSeconds(10)), vip, second)) {
                LinuxVipManager vips = gate.vips;
                TcpBalancer balancer = gate.balancer;
                try (Socket established = connect(cl, onVip, 5_000)) {
                    assertEchoes(established, "before");

                    vips.releasing(vip); // VRRP heard the new master: the VIP leaves after its linger
                    assertTrue(Await.holdsWithin(Duration.ofSeconds(10),
                            () -> balancer.handshakesDroppedFor().equals(Set.of(vip.address()))), "gated");
                    assertDropped(cl, onVip);
                    try (Socket other = connect(cl, onNode, 5_000)) {
                        assertEchoes(other, "the node's own address on the same wildcard listener");
                    }
                    assertEchoes(established, "established on the VIP, draining");

                    vips.releasing(second);
                    assertTrue(Await.holdsWithin(Duration.ofSeconds(10),
                            () -> balancer.handshakesDroppedFor().size() == 2), "both gated");
                    assertDropped(cl, onVip);
                    assertDropped(cl, onSecond);

                    vips.add(second); // the second move called off: mastership taken back
                    assertTrue(Await.holdsWithin(Duration.ofSeconds(10),
                            () -> balancer.handshakesDroppedFor().equals(Set.of(vip.address()))), "second lifted");
                    try (Socket back = connect(cl, onSecond, 5_000)) {
                        assertEchoes(back, "the second VIP, its move called off");
                    }
                    assertDropped(cl, onVip);
                    assertEchoes(established, "still relaying");
                }
                vips.remove(vip); // the handover is over; the VIP comes back later
                vips.add(vip);
                assertTrue(Await.holdsWithin(Duration.ofSeconds(10), () -> balancer.handshakesDroppedFor().isEmpty()),
                        "lifted");
                try (Socket after = connect(cl, onVip, 5_000)) {
                    assertEchoes(after, "a new client of the VIP after the gate was lifted");
                }
            }
        }
    }

    /**
     * An IPv6 wildcard listener ({@code [::]}, dual-stack) gated for an IPv6 VIP: the filter matches the four words of
     * the IPv6 destination, and lets the node's own IPv6 address and IPv4 clients (which the same socket receives) in.
     */
    @Test
    void anIpv6WildcardListenerDropsOnlyTheLeavingIpv6Vip() throws Exception {
        TestNetwork.requirePrivileges();
        try (TestNetwork network = TestNetwork.create("syn6")) {
            TestNetwork.Node srv = network.addNode("srv");
            TestNetwork.Node cl = network.addNode("cl");
            VirtualAddress vip = VirtualAddress.parse("fe80::198:18:0:100/64", TestNetwork.NODE_INTERFACE);
            InetAddress node6 = srv.ipv6LinkLocal(); // before the VIP, another link-local address, is added
            try (NamespaceBalancer gate = NamespaceBalancer.start(srv, "gate6", b -> b.bind("::", PORT).ioThreads(1)
                    .transport(Transport.EPOLL).drainTimeout(Duration.ZERO).vipLeaveDrain(Duration.ofSeconds(10)), vip)) {
                LinuxVipManager vips = gate.vips;
                TcpBalancer balancer = gate.balancer;
                // link-local: the client names its own eth0 as the scope
                int scope = Integer.parseInt(cl.exec("cat", "/sys/class/net/" + TestNetwork.NODE_INTERFACE + "/ifindex")
                        .orThrow().trim());
                InetSocketAddress onVip = new InetSocketAddress(
                        Inet6Address.getByAddress(null, vip.address().getAddress(), scope), PORT);
                InetSocketAddress onNode6 = new InetSocketAddress(
                        Inet6Address.getByAddress(null, node6.getAddress(), scope), PORT);
                try (Socket before = connect(cl, onVip, 5_000)) {
                    assertEchoes(before, "IPv6 VIP before");
                }
                vips.releasing(vip);
                assertTrue(Await.holdsWithin(Duration.ofSeconds(10),
                        () -> balancer.handshakesDroppedFor().equals(Set.of(vip.address()))), "gated");
                assertDropped(cl, onVip);
                try (Socket other = connect(cl, onNode6, 5_000)) {
                    assertEchoes(other, "the node's own IPv6 address");
                }
                try (Socket v4 = connect(cl, new InetSocketAddress(srv.ipv4(), PORT), 5_000)) {
                    assertEchoes(v4, "IPv4 through the dual-stack listener");
                }
                vips.add(vip);
                assertTrue(Await.holdsWithin(Duration.ofSeconds(10), () -> balancer.handshakesDroppedFor().isEmpty()),
                        "lifted");
                try (Socket after = connect(cl, onVip, 5_000)) {
                    assertEchoes(after, "IPv6 VIP after");
                }
            }
        }
    }

    private static Socket connect(TestNetwork.Node node, InetSocketAddress to, int timeoutMs) throws Exception {
        return node.run(() -> {
            Socket s = new Socket();
            try {
                s.connect(to, timeoutMs);
                s.setSoTimeout(10_000); // a hang fails the test instead of blocking it; not a speed assertion
                return s;
            } catch (IOException e) {
                s.close();
                throw e;
            }
        });
    }

    /** A connect to {@code to} neither completes nor is refused (no RST) within a bounded wait. */
    private static void assertDropped(TestNetwork.Node node, InetSocketAddress to) {
        assertThrows(SocketTimeoutException.class, () -> connect(node, to, GATED_CONNECT_WAIT_MS).close(),
                "the SYN to " + to + " is dropped unanswered: no handshake and no reset");
    }

    private static void assertEchoes(Socket s, String what) throws IOException {
        byte[] hello = what.getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(hello);
        assertArrayEquals(hello, s.getInputStream().readNBytes(hello.length), what);
    }
}
