package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static io.ha4j.proxy.TestSupport.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HealthCheck;
import io.ha4j.proxy.TestSupport.EchoServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Inactivity timeouts on real connections (short values; they fire on the event loop's timer). */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeoutTest {

    private static int readOrEof(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    @Test
    void testTunnelTimeoutClosesIdleButNotActiveConnections() throws Exception {
        try (EchoServer echo = new EchoServer("e", true);
             TcpBalancer balancer = TestSupport.balancer("tunnel", echo)
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .tunnelTimeout(Duration.ofMillis(400))
                     .build()) {
            balancer.start();
            try (Socket idle = connect(balancer.boundAddresses().get(0));
                 Socket busy = connect(balancer.boundAddresses().get(0))) {
                assertEquals("e", readLine(idle.getInputStream()));
                assertEquals("e", readLine(busy.getInputStream()));
                for (int i = 0; i < 12; i++) { // 1.2 s of traffic every 100 ms: never 400 ms idle
                    busy.getOutputStream().write("tick\n".getBytes());
                    assertEquals("tick", readLine(busy.getInputStream()));
                    Thread.sleep(100);
                }
                assertEquals(-1, readOrEof(idle), "the idle connection was closed by the tunnel timeout");
                busy.getOutputStream().write("alive\n".getBytes());
                assertEquals("alive", readLine(busy.getInputStream()), "the active one survives");
            }
        }
    }

    @Test
    void testClientTimeoutAppliesPerDirectionWithoutTunnel() throws Exception {
        // a backend that streams to the client all the time while the client never sends: only the
        // client-side inactivity timeout can close it
        try (ServerSocket streaming = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try (Socket c = streaming.accept()) {
                    for (int i = 0; i < 300; i++) { // bounded: 300 x 20 ms
                        c.getOutputStream().write('.');
                        Thread.sleep(20);
                    }
                } catch (Exception closed) {
                    // the balancer closed it
                }
            });
            try (TcpBalancer balancer = TestSupport.balancer("client-timeout")
                    .backend(Backend.of("s", "127.0.0.1", streaming.getLocalPort()))
                    .healthCheck(x -> HealthCheck.of("always up", () -> true))
                    .tunnelTimeout(Duration.ZERO)
                    .clientTimeout(Duration.ofMillis(300))
                    .serverTimeout(Duration.ofSeconds(30))
                    .build()) {
                balancer.start();
                try (Socket s = connect(balancer.boundAddresses().get(0))) {
                    int received = 0;
                    int b;
                    while ((b = readOrEof(s)) >= 0 && received < 10_000) {
                        received++;
                    }
                    assertEquals(-1, b, "closed by the client timeout although the server kept sending");
                    assertTrue(received > 3, "the server's bytes came through first: " + received);
                }
                server.get(20, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void testClientFinTimeoutClosesHalfClosedConnection() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> server = CompletableFuture.supplyAsync(() -> {
                try (Socket c = silent.accept()) {
                    c.setSoTimeout(20_000);
                    byte[] sink = new byte[256];
                    while (c.getInputStream().read(sink) >= 0) { // up to the client's FIN; never answers
                        continue;
                    }
                    return c.getInputStream().read(); // -1 again: the balancer closed
                } catch (IOException e) {
                    return -1;
                }
            });
            try (TcpBalancer balancer = TestSupport.balancer("client-fin")
                    .backend(Backend.of("s", "127.0.0.1", silent.getLocalPort()))
                    .healthCheck(x -> HealthCheck.of("always up", () -> true))
                    .clientFinTimeout(Duration.ofMillis(300))
                    .build()) {
                balancer.start();
                try (Socket s = connect(balancer.boundAddresses().get(0))) {
                    s.getOutputStream().write("last words".getBytes());
                    s.shutdownOutput();
                    assertEquals(-1, readOrEof(s), "the half-closed connection ends after client-fin");
                }
                assertEquals(-1, server.get(20, TimeUnit.SECONDS));
                assertTrue(TestSupport.await(Duration.ofSeconds(5), () -> balancer.stats().activeConnections() == 0));
            }
        }
    }
}
