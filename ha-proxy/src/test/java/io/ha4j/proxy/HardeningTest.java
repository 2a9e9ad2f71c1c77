package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static io.ha4j.proxy.TestSupport.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.ha4j.core.HaStartException;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.HttpCheck;
import io.ha4j.proxy.TestSupport.EchoServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Issue 11 items 4, 6 and 7 (bind part), with real sockets. */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HardeningTest {

    /** Whether the server closed {@code s}: EOF or reset within the socket's read timeout. */
    private static boolean closedByServer(Socket s) throws IOException {
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketException reset) {
            return true;
        } catch (SocketTimeoutException open) {
            return false;
        }
    }

    @Test
    void testAdminListenerCapsConnectionsAndTheDataPathAndChecksKeepWorking() throws Exception {
        int cap = 8;
        List<Socket> admin = new ArrayList<>();
        try (EchoServer echo = new EchoServer("e", true);
             TcpBalancer balancer = TestSupport.balancer("admincap", echo)
                     .healthCheck(TestSupport.tcpCheck())
                     .healthCheckTimers(TestSupport.fastChecks())
                     .adminPort(0)
                     .adminMaxConnections(cap)
                     .adminIdleTimeout(Duration.ofSeconds(30))
                     .build()) {
            balancer.start();
            assertTrue(TestSupport.await(Duration.ofSeconds(5), () -> balancer.healthChecker("e").isUp()));
            InetSocketAddress adminAddress = balancer.adminBoundAddress().orElseThrow();
            int fdsBefore = TestSupport.fdCount();
            for (int i = 0; i < 6 * cap; i++) {
                Socket s = new Socket();
                s.connect(adminAddress, 5000);
                s.setSoTimeout(300);
                admin.add(s);
            }
            int refused = 0;
            for (Socket s : admin) {
                if (closedByServer(s)) {
                    refused++;
                }
            }
            assertEquals(5 * cap, refused, "admin connections past the cap are closed at once");
            // the balancer holds at most cap admin sockets: the rest of the fds are the test's own clients
            assertTrue(TestSupport.fdCount() - fdsBefore <= admin.size() + cap + 4, "fds grew by " + (TestSupport.fdCount() - fdsBefore));
            try (Socket c = connect(balancer.boundAddresses().get(0))) {
                assertEquals("e", readLine(c.getInputStream()), "the data path still serves");
            }
            long checksBefore = balancer.stats().backend("e").downTransitions();
            assertTrue(balancer.healthChecker("e").isUp(), "the health check still passes");
            assertEquals(checksBefore, balancer.stats().backend("e").downTransitions());
        } finally {
            for (Socket s : admin) {
                s.close();
            }
        }
    }

    @Test
    void testIdleAdminConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        try (EchoServer echo = new EchoServer("e", true);
             TcpBalancer balancer = TestSupport.balancer("adminidle", echo)
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .adminPort(0)
                     .adminIdleTimeout(Duration.ofMillis(300))
                     .build();
             Socket idle = new Socket()) {
            balancer.start();
            idle.connect(balancer.adminBoundAddress().orElseThrow(), 5000);
            idle.setSoTimeout(10_000);
            assertTrue(closedByServer(idle), "an idle admin connection is closed by the listener");
        }
    }

    @Test
    void testSecondBalancerOnTheSameAddressFailsNamingIt() throws Exception {
        try (EchoServer echo = new EchoServer("e", true);
             TcpBalancer first = TestSupport.balancer("first", echo).healthCheck(x -> HealthCheck.of("up", () -> true)).build()) {
            first.start();
            int port = first.boundAddresses().get(0).getPort();
            TcpBalancer second = TcpBalancer.builder("second").bind("127.0.0.1", port).ioThreads(2).drainTimeout(Duration.ZERO)
                    .backend(Backend.of("e", "127.0.0.1", echo.port())).healthCheck(x -> HealthCheck.of("up", () -> true)).build();
            HaStartException e = assertThrows(HaStartException.class, second::start);
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
            second.close();
            try (Socket c = connect(first.boundAddresses().get(0))) {
                assertEquals("e", readLine(c.getInputStream()), "the first balancer keeps serving");
            }
        }
    }

    @Test
    void testPortInUseByAnotherProgramFailsNamingIt() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TcpBalancer b = TcpBalancer.builder("inuse").bind("127.0.0.1", other.getLocalPort()).ioThreads(1)
                    .backend(Backend.of("x", "127.0.0.1", 1)).healthCheck(x -> HealthCheck.of("up", () -> true)).build();
            HaStartException e = assertThrows(HaStartException.class, b::start);
            assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + other.getLocalPort()
                    + ": Address already in use (another balancer or process listens there)"), e.getMessage());
            b.close();
        }
    }

    @Test
    void testClientResetReachesTheBackendAsAReset() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
             TcpBalancer balancer = TestSupport.balancer("abort")
                     .backend(Backend.of("b", "127.0.0.1", backend.getLocalPort()))
                     .healthCheck(x -> HealthCheck.of("up", () -> true))
                     .build()) {
            balancer.start();
            backend.setSoTimeout(10_000);
            Socket client = connect(balancer.boundAddresses().get(0));
            try (Socket s = backend.accept()) {
                client.getOutputStream().write("hello\n".getBytes());
                s.setSoTimeout(10_000);
                assertEquals("hello", readLine(s.getInputStream()));
                client.setSoLinger(true, 0);
                client.close(); // an abortive close: RST
                SocketException reset = assertThrows(SocketException.class, () -> {
                    while (s.getInputStream().read() >= 0) {
                        // a graceful close would end here with EOF instead
                    }
                });
                assertTrue(reset.getMessage().toLowerCase(java.util.Locale.ROOT).contains("reset"), reset.getMessage());
            }
        }
    }

    @Test
    void testBackendAddedThroughAdminGetsTheConfiguredCheck() throws Exception {
        // a backend that answers only plain-HTTP GET /healthz; the library default (HTTPS /readyz) would fail
        HttpServer health = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        health.createContext("/", ex -> {
            int status = ex.getRequestURI().getPath().equals("/healthz") ? 200 : 404;
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        health.start();
        try (TcpBalancer balancer = TcpBalancer.builder("addcheck").bind("127.0.0.1", 0).ioThreads(1).drainTimeout(Duration.ZERO)
                .healthCheck(b -> HttpCheck.builder(b.address().getAddress().getHostAddress(), b.address().getPort()).path("/healthz").build())
                .healthCheckTimers(TestSupport.fastChecks())
                .adminPort(0)
                .build()) {
            balancer.start();
            InetSocketAddress adminAddress = balancer.adminBoundAddress().orElseThrow();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> added = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminAddress.getPort()
                            + "/backends?name=late&host=127.0.0.1&port=" + health.getAddress().getPort()))
                    .header("Content-Type", "application/x-ha4j-admin")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, added.statusCode(), added.body());
            assertTrue(balancer.healthChecker("late").check().description().contains("/healthz"),
                    balancer.healthChecker("late").check().description());
            assertTrue(TestSupport.await(Duration.ofSeconds(10), () -> balancer.healthChecker("late").isUp()),
                    "the added backend is UP through the configured check: " + balancer.healthChecker("late").lastResult());
        } finally {
            health.stop(0);
        }
    }
}
