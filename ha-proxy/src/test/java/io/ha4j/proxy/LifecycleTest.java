package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static io.ha4j.proxy.TestSupport.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HaCluster;
import io.ha4j.core.HaEvent;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.Phase;
import io.ha4j.proxy.TestSupport.EchoServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Start, graceful shutdown, maxconn, and running inside an {@link HaCluster}. */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleTest {

    @Test
    void testGracefulShutdownStopsAcceptingAndDrainsEstablished() throws Exception {
        try (EchoServer echo = new EchoServer("e", true)) {
            TcpBalancer balancer = TestSupport.balancer("graceful", echo)
                    .healthCheck(x -> HealthCheck.of("always up", () -> true))
                    .build();
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            Socket established = connect(front);
            assertEquals("e", readLine(established.getInputStream()));
            CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> balancer.close(Duration.ofSeconds(20)));
            assertTrue(TestSupport.await(Duration.ofSeconds(5), () -> {
                try (Socket late = new Socket()) {
                    late.connect(front, 1000);
                    return false;
                } catch (ConnectException refused) {
                    return true;
                } catch (IOException other) {
                    return false;
                }
            }), "new clients are refused once shutdown began");
            assertFalse(closing.isDone(), "close waits for the established connection");
            established.getOutputStream().write("finishing\n".getBytes());
            assertEquals("finishing", readLine(established.getInputStream()), "the established connection still works");
            established.close();
            closing.get(15, TimeUnit.SECONDS); // returns once drained, well before the 20 s deadline
        }
    }

    @Test
    void testDrainDeadlineClosesWhatIsLeft() throws Exception {
        try (EchoServer echo = new EchoServer("e", true)) {
            TcpBalancer balancer = TestSupport.balancer("deadline", echo)
                    .healthCheck(x -> HealthCheck.of("always up", () -> true))
                    .build();
            balancer.start();
            try (Socket lingering = connect(balancer.boundAddresses().get(0))) {
                assertEquals("e", readLine(lingering.getInputStream()));
                balancer.close(Duration.ofMillis(200));
                assertEquals(-1, readOrEof(lingering), "closed at the drain deadline");
                assertEquals(1, balancer.stats().backend("e").killed());
            }
            balancer.close(); // idempotent
        }
    }

    @Test
    void testMaxConnectionsPausesAcceptingUntilOneEnds() throws Exception {
        try (EchoServer echo = new EchoServer("e", true);
             TcpBalancer balancer = TestSupport.balancer("maxconn", echo)
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .maxConnections(2)
                     .build()) {
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            try (Socket one = connect(front); Socket two = connect(front)) {
                assertEquals("e", readLine(one.getInputStream()));
                assertEquals("e", readLine(two.getInputStream()));
                try (Socket third = connect(front)) { // completes in the kernel backlog, but is not served
                    third.setSoTimeout(500);
                    assertThrows(SocketTimeoutException.class, () -> third.getInputStream().read(), "third waits unserved");
                    assertEquals(2, echo.connections(), "only two reach the backend");
                    one.close();
                    third.setSoTimeout(10_000);
                    assertEquals("e", readLine(third.getInputStream()), "served once a slot is free");
                }
            }
        }
    }

    @Test
    void testRunsAsClusterComponent() throws Exception {
        List<HaEvent> events = new CopyOnWriteArrayList<>();
        try (EchoServer echo = new EchoServer("e", true)) {
            TcpBalancer balancer = TestSupport.balancer("in-cluster", echo)
                    .healthCheck(TestSupport.tcpCheck())
                    .healthCheckTimers(TestSupport.fastChecks())
                    .build();
            assertEquals(Phase.BALANCERS, balancer.phase());
            try (HaCluster cluster = HaCluster.builder().name("proxy-test").add(balancer).listener(events::add).build()) {
                cluster.start();
                try (Socket s = connect(balancer.boundAddresses().get(0))) {
                    assertEquals("e", readLine(s.getInputStream()));
                }
                assertThrows(IllegalStateException.class, balancer::start, "start once");
            }
            assertTrue(events.stream().anyMatch(e -> e.source().equals("in-cluster") && e.state().equals("RUNNING")), events.toString());
            assertTrue(events.stream().anyMatch(e -> e.source().equals("in-cluster") && e.state().equals("STOPPED")), events.toString());
        }
    }

    @Test
    void testStartFailsCleanlyWhenThePortIsTaken() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int before = TestSupport.fdCount();
            TcpBalancer balancer = TcpBalancer.builder("taken")
                    .bind("127.0.0.1", taken.getLocalPort())
                    .ioThreads(1)
                    .transport(Transport.NIO)
                    .healthCheck(x -> HealthCheck.of("always up", () -> true))
                    .backend(Backend.of("x", "127.0.0.1", 9))
                    .build();
            assertThrows(Exception.class, balancer::start);
            balancer.close();
            assertTrue(TestSupport.await(Duration.ofSeconds(5), () -> TestSupport.fdCount() <= before),
                    "a failed start releases its sockets: " + before + " -> " + TestSupport.fdCount());
        }
    }

    private static int readOrEof(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (SocketException reset) {
            return -1;
        }
    }
}
