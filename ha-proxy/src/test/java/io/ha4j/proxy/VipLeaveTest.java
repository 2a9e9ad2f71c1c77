package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.ComponentContext;
import io.ha4j.core.InMemoryVipManager;
import io.ha4j.core.Scheduler;
import io.ha4j.core.SystemScheduler;
import io.ha4j.core.VirtualAddress;
import io.ha4j.proxy.TestSupport.EchoServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When a VIP leaves this node, the client connections that arrived on it end at once (after the drain), the others go
 * on, and the stats count them. Real sockets on loopback aliases: the balancer listens on 127.0.0.2 and 127.0.0.3, the
 * VIP manager (in memory) tells it that 127.0.0.2 is leaving, as VRRP does during a handover, and meanwhile new clients
 * of 127.0.0.2 are dropped at the listening socket.
 */
class VipLeaveTest {

    private static final VirtualAddress VIP = VirtualAddress.parse("127.0.0.2/8", "lo");

    private interface Body {
        void run(TcpBalancer balancer, InMemoryVipManager vips) throws Exception;
    }

    private static void withBalancer(Duration drain, Body body) throws Exception {
        withBalancer(Transport.AUTO, drain, body);
    }

    private static void withBalancer(Transport transport, Duration drain, Body body) throws Exception {
        InMemoryVipManager vips = new InMemoryVipManager();
        try (EchoServer echo = new EchoServer("e", false);
             SystemScheduler scheduler = Scheduler.newSingleThread("vip-leave-test");
             ComponentContext context = ComponentContext.builder().clusterName("t").scheduler(scheduler)
                     .blockingExecutor(ComponentContext.newBlockingExecutor("vip-leave-test")).vipManager(vips).build()) {
            TcpBalancer balancer = TcpBalancer.builder("vip").bind("127.0.0.2", 0).bind("127.0.0.3", 0).ioThreads(1).transport(transport)
                    .drainTimeout(Duration.ZERO).vipLeaveDrain(drain)
                    .backend(Backend.of("e", "127.0.0.1", echo.port())).healthCheck(TestSupport.tcpCheck())
                    .healthCheckTimers(TestSupport.fastChecks()).build();
            balancer.start(context);
            try {
                assertTrue(TestSupport.await(Duration.ofSeconds(10), () -> balancer.stats().backendsUp() == 1), "backend up");
                body.run(balancer, vips);
            } finally {
                balancer.close();
            }
        }
    }

    private static Socket connect(InetSocketAddress frontend) throws IOException {
        Socket s = new Socket();
        s.connect(frontend, 5_000);
        s.setSoTimeout(10_000); // a hang fails the test instead of blocking it; not a speed assertion
        return s;
    }

    private static void echoes(Socket s, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(sent);
        s.getOutputStream().flush();
        assertArrayEquals(sent, s.getInputStream().readNBytes(sent.length));
    }

    @Test
    void connectionsThatArrivedOnTheLeavingVipEndAndTheOthersGoOn() throws Exception {
        withBalancer(Duration.ZERO, (balancer, vips) -> {
            try (Socket onVip = connect(balancer.boundAddresses().get(0));
                 Socket other = connect(balancer.boundAddresses().get(1))) {
                echoes(onVip, "before");
                echoes(other, "before");
                vips.releasing(VIP);
                assertEquals(-1, onVip.getInputStream().read(), "EOF: the balancer closed the client's connection");
                echoes(other, "still relayed");
                assertTrue(TestSupport.await(Duration.ofSeconds(10), () -> balancer.stats().closedOnVipLeave() == 1),
                        "counted in the stats");
            }
        });
    }

    @Test
    void bytesInFlightGetTheDrainBeforeTheConnectionEnds() throws Exception {
        withBalancer(Duration.ofMillis(300), (balancer, vips) -> {
            try (Socket onVip = connect(balancer.boundAddresses().get(0))) {
                echoes(onVip, "x");
                vips.releasing(VIP);
                echoes(onVip, "answered during the drain");
                InputStream in = onVip.getInputStream();
                assertEquals(-1, in.read(), "then EOF");
                assertEquals(1, balancer.stats().closedOnVipLeave());
            }
        });
    }

    /** With NIO, which has no gate: epoll drops such a client's SYN instead (the test below). */
    @Test
    void aConnectionAcceptedOnTheLeavingVipDuringTheDrainEndsWithTheOthers() throws Exception {
        withBalancer(Transport.NIO, Duration.ofMillis(500), (balancer, vips) -> {
            vips.releasing(VIP);
            try (Socket late = connect(balancer.boundAddresses().get(0))) {
                echoes(late, "served during the drain");
                assertEquals(-1, late.getInputStream().read(), "then EOF at the drain's deadline, not left open");
                assertTrue(TestSupport.await(Duration.ofSeconds(10), () -> balancer.stats().closedOnVipLeave() == 1), "counted");
            }
        });
    }

    @Test
    void afterTheDrainTheAddressIsServedAgain() throws Exception {
        withBalancer(Duration.ofMillis(100), (balancer, vips) -> {
            try (Socket early = connect(balancer.boundAddresses().get(0))) {
                echoes(early, "x");
                vips.releasing(VIP);
                assertEquals(-1, early.getInputStream().read(), "the drain is over");
            }
            // the handover was cancelled (this node took mastership back and VRRP added the VIP again): a new client on
            // the address stays
            vips.add(VIP);
            try (Socket later = connect(balancer.boundAddresses().get(0))) {
                echoes(later, "first");
                echoes(later, "second");
                assertEquals(1, balancer.stats().closedOnVipLeave(), "only the connection of the drain was ended");
            }
        });
    }

    /**
     * A listener bound to the leaving VIP itself drops every new client's SYN (no handshake, no reset) until the VIP is
     * this node's again; a listener on another address goes on. The wildcard case is SynGateNamespaceTest (ha-examples).
     */
    @Test
    void aListenerOnTheLeavingVipDropsNewClientsUntilTheVipIsOursAgain() throws Exception {
        withBalancer(Transport.EPOLL, Duration.ofSeconds(10), (balancer, vips) -> {
            try (Socket established = connect(balancer.boundAddresses().get(0))) {
                echoes(established, "before");
                vips.releasing(VIP);
                assertTrue(TestSupport.await(Duration.ofSeconds(10),
                        () -> balancer.handshakesDroppedFor().contains(VIP.address())), "gated");
                assertEquals(List.of("127.0.0.2"), balancer.stats().handshakesDroppedFor(), "shown in the stats");
                try (Socket dropped = new Socket()) {
                    assertThrows(SocketTimeoutException.class, () -> dropped.connect(balancer.boundAddresses().get(0), 600),
                            "dropped unanswered: the client's kernel would send its SYN again about a second later");
                }
                try (Socket other = connect(balancer.boundAddresses().get(1))) {
                    echoes(other, "another address");
                }
                echoes(established, "established clients are drained, not cut");
                vips.add(VIP);
                assertTrue(TestSupport.await(Duration.ofSeconds(10), () -> balancer.handshakesDroppedFor().isEmpty()), "lifted");
                try (Socket again = connect(balancer.boundAddresses().get(0))) {
                    echoes(again, "served again");
                }
            }
        });
    }

    @Test
    void anAddressRemovedBySomeoneElseEndsItsConnectionsToo() throws Exception {
        withBalancer(Duration.ZERO, (balancer, vips) -> {
            vips.addExternally(VIP);
            try (Socket onVip = connect(balancer.boundAddresses().get(0))) {
                echoes(onVip, "x");
                vips.removeExternally(VIP);
                assertEquals(-1, onVip.getInputStream().read());
                assertTrue(TestSupport.await(Duration.ofSeconds(10), () -> balancer.stats().closedOnVipLeave() == 1), "counted");
            }
        });
    }
}
