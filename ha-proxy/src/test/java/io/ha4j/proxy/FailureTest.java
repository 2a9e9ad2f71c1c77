package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static io.ha4j.proxy.TestSupport.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HealthCheck;
import io.ha4j.core.HealthChecker;
import io.ha4j.proxy.TestSupport.EchoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Dead, refusing and killed backends, with real sockets and real time. */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailureTest {


    /** Reads one byte; a reset counts as end of stream. Fails the test if the read blocks (client held). */
    private static int readOrEof(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (SocketTimeoutException held) {
            throw new AssertionError("the client was held open instead of being closed", held);
        } catch (SocketException reset) {
            return -1;
        }
    }

    @Test
    void testBackendKilledMidStreamClosesOnlyItsClients() throws Exception {
        try (EchoServer a = new EchoServer("a", true);
             EchoServer b = new EchoServer("b", true);
             TcpBalancer balancer = TestSupport.balancer("killed", a, b)
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .build()) {
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            List<Socket> onA = new ArrayList<>();
            List<Socket> onB = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    Socket s = connect(front);
                    s.setSoTimeout(5000);
                    String who = readLine(s.getInputStream());
                    s.getOutputStream().write("x\n".getBytes());
                    assertEquals("x", readLine(s.getInputStream()), "streaming before the kill");
                    (who.equals("a") ? onA : onB).add(s);
                }
                a.kill();
                for (Socket s : onA) {
                    assertEquals(-1, readOrEof(s), "a client of the killed backend sees its connection end");
                    s.close(); // the client closes its side in turn; the balancer then drops the pair
                }
                for (Socket s : onB) {
                    s.getOutputStream().write("still\n".getBytes());
                    assertEquals("still", readLine(s.getInputStream()), "clients of the other backend are untouched");
                }
                assertTrue(TestSupport.await(Duration.ofSeconds(5), () -> balancer.stats().backend("a").activeConnections() == 0));
                assertEquals(5, balancer.stats().backend("b").activeConnections());
            } finally {
                onA.forEach(FailureTest::closeQuietly);
                onB.forEach(FailureTest::closeQuietly);
            }
        }
    }

    @Test
    void testRefusingBackendIsRetriedAndRedispatchedWithoutClientError() throws Exception {
        try (TestSupport.DeadPort deadPort = new TestSupport.DeadPort();
             EchoServer a = new EchoServer("a", true);
             EchoServer b = new EchoServer("b", true);
             TcpBalancer balancer = TestSupport.balancer("redispatch")
                     .backend(Backend.of("dead", "127.0.0.1", deadPort.port))
                     .backend(Backend.of("a", "127.0.0.1", a.port()))
                     .backend(Backend.of("b", "127.0.0.1", b.port()))
                     // the active check keeps saying UP and the counter cannot fall, so every third new
                     // connection really is sent to the refusing server first
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .healthCheckTimers(t -> t.inter(Duration.ofHours(1)).fall(1000).initialState(HealthChecker.InitialState.FULLY_UP))
                     .build()) {
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 30; i++) {
                try (Socket s = connect(front)) {
                    String who = readLine(s.getInputStream());
                    counts.merge(String.valueOf(who), 1, Integer::sum);
                }
            }
            assertEquals(30, counts.getOrDefault("a", 0) + counts.getOrDefault("b", 0), "every client served: " + counts);
            BalancerStats st = balancer.stats();
            BackendStats d = st.backend("dead");
            assertTrue(d.connectErrors() >= 10, "the refusing server was tried: " + d);
            assertEquals(d.connectErrors(), d.redispatches(), "each failure redispatched");
            assertEquals(0, st.refused());
        }
    }

    @Test
    void testAllBackendsDownRefusesNewClientsAtOnce() throws Exception {
        try (TestSupport.DeadPort x = new TestSupport.DeadPort();
             TestSupport.DeadPort y = new TestSupport.DeadPort();
             TcpBalancer balancer = TestSupport.balancer("all-down")
                .backend(Backend.of("x", "127.0.0.1", x.port))
                .backend(Backend.of("y", "127.0.0.1", y.port))
                .healthCheck(TestSupport.tcpCheck())
                .healthCheckTimers(TestSupport.fastChecks())
                .build()) {
            balancer.start();
            assertTrue(TestSupport.await(Duration.ofSeconds(10), () -> balancer.stats().backendsUp() == 0), "checks take both down");
            InetSocketAddress front = balancer.boundAddresses().get(0);
            for (int i = 0; i < 5; i++) {
                try (Socket s = connect(front)) {
                    s.setSoTimeout(5000);
                    assertEquals(-1, readOrEof(s), "closed at once, not held");
                }
            }
            BalancerStats st = balancer.stats();
            assertEquals(5, st.refused());
            assertEquals(0, st.backend("x").totalConnections() + st.backend("y").totalConnections(), "no connect was even tried");
            assertTrue(TestSupport.await(Duration.ofSeconds(5), () -> balancer.stats().activeConnections() == 0));
        }
    }

    @Test
    void testConnectTimeoutIsRetriedOnAnotherServer() throws Exception {
        // A listener that never accepts and whose accept queue is full: the kernel drops further SYNs, so
        // connects to it hang until the balancer's connect timeout.
        try (ServerSocket blackhole = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             EchoServer a = new EchoServer("a", true)) {
            List<java.nio.channels.SocketChannel> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    java.nio.channels.SocketChannel f = java.nio.channels.SocketChannel.open();
                    f.configureBlocking(false);
                    f.connect(blackhole.getLocalSocketAddress());
                    fillers.add(f);
                }
                try (TcpBalancer balancer = TestSupport.balancer("connect-timeout")
                        .backend(Backend.of("hang", "127.0.0.1", blackhole.getLocalPort()))
                        .backend(Backend.of("a", "127.0.0.1", a.port()))
                        .healthCheck(x -> HealthCheck.of("always up", () -> true))
                        .healthCheckTimers(t -> t.inter(Duration.ofHours(1)).fall(1000).initialState(HealthChecker.InitialState.FULLY_UP))
                        .connectTimeout(Duration.ofMillis(200))
                        .build()) {
                    balancer.start();
                    InetSocketAddress front = balancer.boundAddresses().get(0);
                    for (int i = 0; i < 4; i++) {
                        try (Socket s = connect(front)) {
                            assertEquals("a", readLine(s.getInputStream()));
                        }
                    }
                    BackendStats hang = balancer.stats().backend("hang");
                    assertTrue(hang.connectErrors() >= 2 && hang.redispatches() == hang.connectErrors(), hang.toString());
                }
            } finally {
                for (java.nio.channels.SocketChannel f : fillers) {
                    f.close();
                }
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }
}
