package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static io.ha4j.proxy.TestSupport.readFully;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.proxy.TestSupport.EchoServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Byte-exact relaying through a real balancer on loopback. */
@ExtendWith(LeakCheck.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayTest {

    private static EchoServer a;
    private static EchoServer b;
    private static TcpBalancer balancer;
    private static InetSocketAddress front;

    @BeforeAll
    static void start() {
        a = new EchoServer("a", false);
        b = new EchoServer("b", false);
        balancer = TestSupport.balancer("relay", a, b)
                .healthCheck(TestSupport.tcpCheck())
                .healthCheckTimers(TestSupport.fastChecks())
                .build();
        balancer.start();
        front = balancer.boundAddresses().get(0);
    }

    @AfterAll
    static void stop() {
        balancer.close();
        a.close();
        b.close();
    }

    @Test
    void testEchoRandomPayloadsByteExact() throws Exception {
        Random random = new Random(1);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            for (int size : new int[] {1, 7, 1460, 4096, 65_537, 1_000_000}) {
                byte[] sent = new byte[size];
                random.nextBytes(sent);
                try (Socket s = connect(front)) {
                    OutputStream out = s.getOutputStream();
                    Future<?> w = writer.submit(() -> {
                        out.write(sent);
                        out.flush();
                        return null;
                    });
                    byte[] got = new byte[size];
                    readFully(s.getInputStream(), got);
                    w.get(30, TimeUnit.SECONDS);
                    assertArrayEquals(sent, got, "payload of " + size + " bytes");
                }
            }
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void testLargeTransfer64MiBBothWays() throws Exception {
        long total = 64L << 20;
        int chunk = 64 * 1024;
        try (Socket s = connect(front)) {
            OutputStream out = s.getOutputStream();
            CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                Random gen = new Random(64);
                byte[] buf = new byte[chunk];
                try {
                    for (long done = 0; done < total; done += chunk) {
                        gen.nextBytes(buf);
                        out.write(buf);
                    }
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Random expected = new Random(64);
            byte[] want = new byte[chunk];
            byte[] got = new byte[chunk];
            InputStream in = s.getInputStream();
            for (long done = 0; done < total; done += chunk) {
                expected.nextBytes(want);
                readFully(in, got);
                if (!java.util.Arrays.equals(want, got)) {
                    throw new AssertionError("bytes differ in the chunk at offset " + done);
                }
            }
            w.get(60, TimeUnit.SECONDS);
        }
        BalancerStats st = balancer.stats();
        assertTrue(st.bytesIn() >= total && st.bytesOut() >= total, "stats count the relayed bytes: " + st);
    }

    @Test
    void testClientHalfCloseIsPassedThroughAndAnswered() throws Exception {
        byte[] sent = new byte[100_000];
        new Random(2).nextBytes(sent);
        try (Socket s = connect(front)) {
            s.getOutputStream().write(sent);
            s.shutdownOutput(); // FIN from the client; the echo server answers with its own FIN
            byte[] got = new byte[sent.length];
            readFully(s.getInputStream(), got);
            assertArrayEquals(sent, got);
            assertEquals(-1, s.getInputStream().read(), "the backend's FIN reaches the client");
        }
    }

    @Test
    void testServerHalfCloseKeepsClientToServerDirection() throws Exception {
        AtomicLong receivedAfterFin = new AtomicLong();
        try (ServerSocket backend = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket c = backend.accept()) {
                    c.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII));
                    c.shutdownOutput(); // server half-closes first
                    InputStream in = c.getInputStream();
                    byte[] buf = new byte[4096];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        receivedAfterFin.addAndGet(n);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (TcpBalancer half = TestSupport.balancer("half")
                    .backend(Backend.of("solo", "127.0.0.1", backend.getLocalPort()))
                    .healthCheck(x -> io.ha4j.core.HealthCheck.of("always up", () -> true))
                    .build()) {
                half.start();
                try (Socket s = connect(half.boundAddresses().get(0))) {
                    InputStream in = s.getInputStream();
                    assertEquals("bye", TestSupport.readLine(in));
                    assertEquals(-1, in.read(), "the server's FIN reaches the client");
                    byte[] more = new byte[50_000];
                    s.getOutputStream().write(more);
                    s.shutdownOutput();
                    served.get(20, TimeUnit.SECONDS);
                }
            }
        }
        assertEquals(50_000, receivedAfterFin.get(), "client data still flows after the server's half-close");
    }

    @Test
    void testManyConcurrentConnections() throws Exception {
        int clients = 256;
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int seed = i;
                results.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    try (Socket s = connect(front)) {
                        for (int round = 0; round < 20; round++) {
                            byte[] msg = new byte[1 + r.nextInt(2048)];
                            r.nextBytes(msg);
                            s.getOutputStream().write(msg);
                            byte[] back = new byte[msg.length];
                            readFully(s.getInputStream(), back);
                            if (!java.util.Arrays.equals(msg, back)) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get(60, TimeUnit.SECONDS), "every client gets its own bytes back");
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(a.accepted.get() > 0 && b.accepted.get() > 0, "both backends served");
    }
}
