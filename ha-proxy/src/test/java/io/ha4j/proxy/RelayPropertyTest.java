package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HealthCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
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
 * Property: whatever each side does (sends any amount, up to twice what the socket buffers on the way hold,
 * then half-closes, resets, or goes silent until the tunnel timeout; reads fast, slowly, or only after a
 * stall), every byte sent by a side that did not reset reaches the other side,
 * unless that side reset; bytes that arrive are always the ones sent, in order. Generated scenarios over real
 * loopback sockets through the balancer, from a seeded {@link Random} whose seed is printed
 * ({@code -Dha4j.relay.seed=N} replays a run).
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RelayPropertyTest {

    private static final int SCENARIOS = 40;
    private static final Duration TUNNEL = Duration.ofMillis(1500);
    private static final Duration STALL = Duration.ofMillis(600);

    enum End { FIN, RESET, SILENT }

    /** How a side reads: as fast as it can, slowly (backpressure engages), or not at all for a while first. */
    enum Reader { FAST, SLOW, STALLED }

    record Side(int bytes, End end, Reader reader) {
        static Side random(Random r) {
            int size = r.nextInt(8);
            // more than the socket buffers on the way hold (about 4 MB on loopback) in some scenarios, so that
            // a stalled reader makes the relay's writes block
            int bytes = size == 0 ? r.nextInt(64) : size == 1 ? 4_000_000 + r.nextInt(4_000_000) : r.nextInt(2_000_000);
            int e = r.nextInt(10);
            End end = e < 6 ? End.FIN : e < 8 ? End.RESET : End.SILENT;
            return new Side(bytes, end, Reader.values()[r.nextInt(3)]);
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
        long checkedBytes = 0;
        int resets = 0;
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
                    c.getOutputStream().write(ByteBuffer.allocate(4).putInt(n).array());
                    Socket s = acceptTagged(backend, n);
                    try (s) {
                        c.setSoTimeout(30_000);
                        s.setSoTimeout(30_000);
                        Future<Long> clientGot = threads.submit(() -> read(c, server.bytes(), 2, client.reader()));
                        Future<Long> serverGot = threads.submit(() -> read(s, client.bytes(), 1, server.reader()));
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
                            // a side that reset is gone: what it sent may be cut, what was sent to it has nowhere
                            // to go; what did arrive was checked byte by byte
                            resets++;
                            assertTrue(toClient <= server.bytes() && toServer <= client.bytes(), "client got " + toClient + ", server got " + toServer + "; " + scenario);
                        }
                    }
                }
            }
            System.out.println("RelayPropertyTest: " + SCENARIOS + " scenarios (" + resets + " with a reset), " + checkedBytes
                    + " bytes required to arrive, all arrived byte-exact");
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * The backend connection that carries scenario {@code n}: each client first sends its scenario number,
     * so a connection the balancer gave up on (a connect attempt reset during the handshake, then retried)
     * is not mistaken for the next scenario's. Such leftovers are closed.
     */
    private static Socket acceptTagged(ServerSocket backend, int n) throws IOException {
        backend.setSoTimeout(10_000);
        for (int attempt = 0; attempt < 8; attempt++) {
            Socket s = backend.accept();
            s.setSoTimeout(10_000);
            byte[] tag = new byte[4];
            try {
                new java.io.DataInputStream(s.getInputStream()).readFully(tag);
                if (ByteBuffer.wrap(tag).getInt() == n) {
                    return s;
                }
            } catch (IOException leftover) {
                // reset or closed before its tag: a connect the balancer abandoned
            }
            s.close();
        }
        throw new IOException("no backend connection carried scenario " + n);
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
    private static long read(Socket socket, int expectedMax, int salt, Reader reader) throws IOException, InterruptedException {
        boolean slow = reader == Reader.SLOW;
        if (reader == Reader.STALLED) {
            Thread.sleep(STALL.toMillis()); // shorter than the timeouts: the relay must wait, not give up
        }
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
