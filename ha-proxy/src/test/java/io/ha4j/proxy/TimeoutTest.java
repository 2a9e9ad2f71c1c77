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
import java.util.concurrent.CountDownLatch;
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
                    Thread.sleep(100); // the traffic's pace: shorter than the 400 ms timeout on purpose
                }
                assertEquals(-1, readOrEof(idle), "the idle connection was closed by the tunnel timeout");
                busy.getOutputStream().write("alive\n".getBytes());
                assertEquals("alive", readLine(busy.getInputStream()), "the active one survives");
            }
        }
    }

    @Test
    void testClientTimeoutAppliesPerDirectionWithoutTunnel() throws Exception {
        // A backend that streams to the client until someone else closes the connection (bounded at 15 s,
        // far beyond the 300 ms timeout) while the client never sends: only the client-side inactivity
        // timeout can end it. The server reports whether it was cut off or ran out its bound itself.
        try (ServerSocket streaming = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<Boolean> cutOff = CompletableFuture.supplyAsync(() -> {
                try (Socket c = streaming.accept()) {
                    long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                    while (System.nanoTime() < bound) {
                        c.getOutputStream().write('.');
                        c.getOutputStream().flush();
                        Thread.sleep(20); // the stream's pace
                    }
                    return false;
                } catch (IOException closedByBalancer) {
                    return true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
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
                    s.setSoTimeout(20_000);
                    int received = 0;
                    int b;
                    while ((b = readOrEof(s)) >= 0) {
                        received++;
                    }
                    assertTrue(received > 3, "the server's bytes came through first: " + received);
                }
                assertTrue(cutOff.get(30, TimeUnit.SECONDS),
                        "the balancer cut the streaming server off (client timeout), it did not stop on its own");
                assertTrue(TestSupport.await(Duration.ofSeconds(5), () -> balancer.stats().activeConnections() == 0));
            }
        }
    }

    @Test
    void testClientFinTimeoutClosesHalfClosedConnection() throws Exception {
        // The server reads up to the client's FIN and then holds its side open, silent, until the client
        // has seen the end of the stream (bounded at 15 s): only clientFinTimeout can end the session.
        CountDownLatch clientSawEof = new CountDownLatch(1);
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<Boolean> heldOpenUntilClientEof = CompletableFuture.supplyAsync(() -> {
                try (Socket c = silent.accept()) {
                    c.setSoTimeout(20_000);
                    byte[] sink = new byte[256];
                    while (c.getInputStream().read(sink) >= 0) { // up to the client's FIN; never answers
                        continue;
                    }
                    return clientSawEof.await(15, TimeUnit.SECONDS);
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            try (TcpBalancer balancer = TestSupport.balancer("client-fin")
                    .backend(Backend.of("s", "127.0.0.1", silent.getLocalPort()))
                    .healthCheck(x -> HealthCheck.of("always up", () -> true))
                    .clientFinTimeout(Duration.ofMillis(300))
                    .build()) {
                balancer.start();
                try (Socket s = connect(balancer.boundAddresses().get(0))) {
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write("last words".getBytes());
                    s.shutdownOutput();
                    assertEquals(-1, readOrEof(s), "the half-closed connection ends after client-fin");
                    clientSawEof.countDown();
                }
                assertTrue(heldOpenUntilClientEof.get(30, TimeUnit.SECONDS),
                        "the server still held its side open when the client saw the end: the balancer closed it");
                assertTrue(TestSupport.await(Duration.ofSeconds(5), () -> balancer.stats().activeConnections() == 0));
            }
        }
    }
}
