package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HealthCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Property: whatever each side does (sends any amount, then half-closes, resets, or goes silent until the
 * tunnel timeout; reads fast or slowly), every byte sent by a side that did not reset reaches the other side,
 * unless that side reset; bytes that arrive are always the ones sent, in order. Generated scenarios over real
 * loopback sockets through the balancer, from a seeded {@link Random} whose seed is printed
 * ({@code -Dha4j.relay.seed=N} replays a run).
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RelayPropertyTest {

    private static final int SCENARIOS = 40;
    private static final Duration TUNNEL = Duration.ofMillis(1500);

    enum End { FIN, RESET, SILENT }

    record Side(int bytes, End end, boolean slowReader) {
        static Side random(Random r) {
            int bytes = r.nextInt(4) == 0 ? r.nextInt(64) : r.nextInt(2_000_000);
            int e = r.nextInt(10);
            End end = e < 8 ? End.FIN : End.SILENT; // RESET: see RELIABILITY.md, not yet in the generator
            return new Side(bytes, end, r.nextInt(3) == 0);
        }
    }

    static byte patternAt(long i, int salt) {
        return (byte) (i * 31 + (i >>> 11) + salt);
    }

    @Test
    void testEveryByteOfASideThatDidNotResetArrives() throws Exception {
        long seed = Long.getLong("ha4j.relay.seed", System.nanoTime());
        System.out.println("RelayPropertyTest seed " + seed + " (replay with -Dha4j.relay.seed=" + seed + ")");
        Random random = new Random(seed);
        ExecutorService threads = Executors.newCachedThreadPool();
        int checkedBytes = 0;
        try (ServerSocket backend = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
             TcpBalancer balancer = TestSupport.balancer("property")
                     .backend(Backend.of("b", "127.0.0.1", backend.getLocalPort()))
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .tunnelTimeout(TUNNEL)
                     .clientFinTimeout(TUNNEL)
                     .build()) {
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            for (int n = 0; n < SCENARIOS; n++) {
                Side client = Side.random(random);
                Side server = Side.random(random);
                String scenario = "scenario " + n + " (seed " + seed + "): client " + client + ", server " + server;
                try (Socket c = new Socket()) {
                    c.connect(front, 5000);
                    Socket s;
                    backend.setSoTimeout(10_000);
                    s = backend.accept();
                    try (s) {
                        c.setSoTimeout(30_000);
                        s.setSoTimeout(30_000);
                        Future<Long> clientGot = threads.submit(() -> read(c, server.bytes(), 2, client.slowReader()));
                        Future<Long> serverGot = threads.submit(() -> read(s, client.bytes(), 1, server.slowReader()));
                        Future<?> clientSent = threads.submit(() -> send(c, client, 1));
                        Future<?> serverSent = threads.submit(() -> send(s, server, 2));
                        clientSent.get(60, TimeUnit.SECONDS);
                        serverSent.get(60, TimeUnit.SECONDS);
                        long toClient = clientGot.get(60, TimeUnit.SECONDS);
                        long toServer = serverGot.get(60, TimeUnit.SECONDS);
                        if (server.end() != End.RESET && client.end() != End.RESET) {
                            assertEquals(server.bytes(), toClient, "bytes the client received; " + scenario);
                            assertEquals(client.bytes(), toServer, "bytes the server received; " + scenario);
                            checkedBytes += server.bytes() + client.bytes();
                        } else {
                            assertTrue(toClient <= server.bytes() && toServer <= client.bytes(), "client got " + toClient + ", server got " + toServer + "; " + scenario);
                        }
                    }
                }
            }
            System.out.println("RelayPropertyTest: " + SCENARIOS + " scenarios, " + checkedBytes
                    + " bytes required to arrive, all arrived byte-exact");
        } finally {
            threads.shutdownNow();
        }
    }

    /** Sends {@code side.bytes()} of the pattern, then half-closes, resets, or stays silent (open) as told. */
    private static Void send(Socket socket, Side side, int salt) throws IOException {
        OutputStream out = socket.getOutputStream();
        byte[] chunk = new byte[32 * 1024];
        long sent = 0;
        try {
            while (sent < side.bytes()) {
                int len = (int) Math.min(chunk.length, side.bytes() - sent);
                for (int i = 0; i < len; i++) {
                    chunk[i] = patternAt(sent + i, salt);
                }
                out.write(chunk, 0, len);
                sent += len;
            }
            out.flush();
            if (side.end() == End.FIN) {
                socket.shutdownOutput();
            } else if (side.end() == End.RESET) {
                socket.setSoLinger(true, 0);
                socket.close();
            }
        } catch (IOException peerGone) {
            // the other side reset: what this side still had to send has nowhere to go
        }
        return null;
    }

    /** Reads until EOF (or reset), checking every byte against the pattern; returns how many arrived. */
    private static long read(Socket socket, int expectedMax, int salt, boolean slow) throws IOException, InterruptedException {
        byte[] buf = new byte[slow ? 2048 : 32 * 1024];
        long total = 0;
        int reads = 0;
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != patternAt(total + i, salt)) {
                        throw new IOException("byte " + (total + i) + " differs (expected at most " + expectedMax + ")");
                    }
                }
                total += n;
                if (slow && ++reads % 16 == 0) {
                    Thread.sleep(2); // about 16 MB/s: slower than loopback, so backpressure engages
                }
            }
        } catch (java.net.SocketException closedOrReset) {
            // reset by the peer or closed by this side's own reset
        }
        return total;
    }
}
