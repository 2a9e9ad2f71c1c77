package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HealthCheck;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A backend that writes as fast as it can and a client that reads one byte per interval: backpressure must
 * stop the balancer from reading the backend, so its direct memory stays flat and the backend blocks.
 * The backend and the client use blocking JDK sockets, so every Netty buffer counted is the balancer's.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowClientTest {

    private static long directMemory() {
        long platform = PlatformDependent.usedDirectMemory();
        long allocator = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
        return Math.max(platform, allocator);
    }

    @Test
    void testSlowReaderKeepsDirectMemoryBounded() throws Exception {
        AtomicLong written = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        try (ServerSocket fast = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
                try (Socket c = fast.accept()) {
                    OutputStream out = c.getOutputStream();
                    byte[] chunk = new byte[64 * 1024];
                    while (!stop.get()) {
                        out.write(chunk); // blocks once every buffer on the way is full
                        written.addAndGet(chunk.length);
                    }
                } catch (Exception closed) {
                    // the test closed the connection
                }
            });
            try (TcpBalancer balancer = TestSupport.balancer("slow")
                    .backend(Backend.of("fast", "127.0.0.1", fast.getLocalPort()))
                    .healthCheck(x -> HealthCheck.of("always up", () -> true))
                    .build()) {
                balancer.start();
                InetSocketAddress front = balancer.boundAddresses().get(0);
                long before = directMemory();
                long peak = before;
                long writtenMidway = 0;
                try (Socket s = new Socket()) {
                    s.setReceiveBufferSize(4096);
                    s.connect(front, 5000);
                    s.setSoTimeout(5000);
                    int iterations = 300;
                    for (int i = 0; i < iterations; i++) { // 300 x 5 ms: bounded in count and time
                        assertTrue(s.getInputStream().read() >= 0);
                        Thread.sleep(5); // a slow reader on purpose: the balancer must hold back, not buffer
                        peak = Math.max(peak, directMemory());
                        if (i == iterations / 2) {
                            writtenMidway = written.get();
                        }
                    }
                    long writtenEnd = written.get();
                    long growth = peak - before;
                    System.out.printf("slow reader: direct memory before %d, peak %d (+%d bytes); backend wrote %d bytes by midway, %d at the end%n",
                            before, peak, growth, writtenMidway, writtenEnd);
                    assertTrue(growth < 16L << 20, "balancer direct memory grew by " + growth + " bytes");
                    assertTrue(writtenEnd < 64L << 20, "the backend was held back by backpressure, wrote " + writtenEnd);
                    assertTrue(writtenEnd - writtenMidway < 1L << 20,
                            "the backend stays blocked while the client reads slowly: " + writtenMidway + " -> " + writtenEnd);
                } finally {
                    stop.set(true);
                }
                producer.get(10, TimeUnit.SECONDS);
            }
        }
    }
}
