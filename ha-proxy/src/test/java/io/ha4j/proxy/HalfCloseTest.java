package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ha4j.core.HealthCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Client-first half-close with a large answer sent after the client's FIN (issue 11, item 1): each client
 * sends its request and shuts down its write side at once; the backend reads to EOF, then sends 5,000,000
 * bytes and closes. Every client must receive every byte, in order, and the backend must never see its
 * write fail. Blocking JDK sockets on both ends, so nothing in the test shares the balancer's code.
 *
 * <p>Before the fix every client received exactly 4,014,080 bytes (what fits in the socket buffers) and a
 * clean FIN, the connection log said {@code CD}, and the backend saw broken pipes, as issue 11 reported. The
 * cause was in Netty 4.2.18's epoll channels (an interest set emptied by the half-close, then an
 * {@code EPOLL_CTL_MOD} failing with ENOENT); the epoll relay is now {@link DirectSession}, whose interest set never
 * changes. Both relays run here: epoll ({@link DirectSession}) and NIO ({@link RelaySession}).
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HalfCloseTest {

    private static final int CLIENTS = 20;
    private static final int ANSWER_BYTES = 5_000_000;
    /**
     * How long each client waits after its FIN before it starts reading, so that the balancer's writes to the
     * client stop fitting the socket buffer after the client's half-close (the loss needed exactly that).
     */
    private static final long READ_DELAY_MILLIS = 3000;

    /** Byte {@code i} of every answer: a pattern that shows a lost or reordered chunk, not just a short count. */
    static byte patternAt(long i) {
        return (byte) (i * 31 + (i >>> 13));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void testEveryClientGetsTheWholeAnswerSentAfterItsFin(Transport transport) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2 * CLIENTS + 1);
        AtomicInteger backendWriteFailures = new AtomicInteger();
        try (ServerSocket backend = new ServerSocket(0, 128, InetAddress.getLoopbackAddress())) {
            pool.submit(() -> {
                for (int served = 0; served < CLIENTS; served++) {
                    Socket c;
                    try {
                        c = backend.accept();
                    } catch (IOException closed) {
                        return;
                    }
                    pool.submit(() -> answerAfterEof(c, backendWriteFailures));
                }
            });
            try (TcpBalancer balancer = TestSupport.balancer("halfclose")
                    .transport(transport)
                    .backend(Backend.of("big", "127.0.0.1", backend.getLocalPort()))
                    .healthCheck(x -> HealthCheck.of("always up", () -> true))
                    .build()) {
                balancer.start();
                InetSocketAddress front = balancer.boundAddresses().get(0);
                List<Future<Long>> received = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    received.add(pool.submit(() -> requestThenRead(front)));
                }
                int complete = 0;
                List<Long> counts = new ArrayList<>();
                for (Future<Long> f : received) {
                    long n = f.get(90, TimeUnit.SECONDS);
                    counts.add(n);
                    if (n == ANSWER_BYTES) {
                        complete++;
                    }
                }
                assertEquals(CLIENTS, complete, "clients that received all " + ANSWER_BYTES + " bytes; counts " + counts);
                assertEquals(0, backendWriteFailures.get(), "backend writes that failed (broken pipe / reset)");
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static long requestThenRead(InetSocketAddress front) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(front, 5000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET /big\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            try {
                Thread.sleep(READ_DELAY_MILLIS); // let the answer fill every socket buffer on the way first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != patternAt(total + i)) {
                        throw new IOException("byte " + (total + i) + " differs");
                    }
                }
                total += n;
            }
            return total;
        }
    }

    private static void answerAfterEof(Socket c, AtomicInteger failures) {
        try (c) {
            InputStream in = c.getInputStream();
            byte[] drain = new byte[1024];
            while (in.read(drain) >= 0) {
                // the request; its content does not matter, its end does
            }
            OutputStream out = c.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            long sent = 0;
            while (sent < ANSWER_BYTES) {
                int len = (int) Math.min(chunk.length, ANSWER_BYTES - sent);
                for (int i = 0; i < len; i++) {
                    chunk[i] = patternAt(sent + i);
                }
                out.write(chunk, 0, len);
                sent += len;
            }
        } catch (IOException e) {
            failures.incrementAndGet();
        }
    }
}
