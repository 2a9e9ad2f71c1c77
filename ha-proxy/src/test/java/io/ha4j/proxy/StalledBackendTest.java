package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ha4j.core.HealthCheck;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Small messages, one write each, to a backend that stops reading and then reads again. Each one is a short read,
 * held to the end of the loop's turn ({@link EndOfTurnWrites}); once the backend's buffers are full a held write is
 * only partly taken, its rest waits in the session, the client is no longer read, and everything must come out whole
 * and in order when the backend reads again.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StalledBackendTest {

    private static final int MESSAGE = 1000;
    private static final int MESSAGES = 8_000; // 8 MB, sent in 0.5-1 s: more than the buffers hold while the backend stalls

    private static byte expected(long position) {
        return (byte) (position * 31 + position / MESSAGE);
    }

    /** A backend that advertises a small window, so the balancer's writes to it stop being taken early. */
    private static ServerSocket smallWindowServer() throws java.io.IOException {
        ServerSocket s = new ServerSocket();
        s.setReceiveBufferSize(4096); // inherited by the accepted socket
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        return s;
    }

    @Test
    void smallMessagesToAStalledBackendArriveWholeAndInOrder() throws Exception {
        try (ServerSocket backend = smallWindowServer();
             TcpBalancer balancer = TestSupport.balancer("stalled")
                     .backend(Backend.of("stalls", "127.0.0.1", backend.getLocalPort()))
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .build()) {
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            CompletableFuture<long[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = backend.accept()) {
                    s.setSoTimeout(20_000);
                    Thread.sleep(1_000); // stalled: the client's writes pile up in the balancer's and the kernel's buffers
                    InputStream in = s.getInputStream();
                    byte[] chunk = new byte[16 * 1024];
                    long position = 0;
                    long mismatches = 0;
                    for (int n; (n = in.read(chunk)) > 0; ) {
                        for (int i = 0; i < n; i++, position++) {
                            if (chunk[i] != expected(position)) {
                                mismatches++;
                            }
                        }
                    }
                    return new long[] {position, mismatches};
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket client = TestSupport.connect(front)) {
                OutputStream out = client.getOutputStream();
                byte[] message = new byte[MESSAGE];
                long position = 0;
                for (int m = 0; m < MESSAGES; m++) {
                    for (int i = 0; i < MESSAGE; i++) {
                        message[i] = expected(position++);
                    }
                    out.write(message); // blocks while the backend is stalled, once every buffer on the way is full
                    LockSupport.parkNanos(20_000); // apart, so that the balancer reads each message on its own
                }
                client.shutdownOutput(); // the backend's read ends after the last byte
                long[] result = received.get(30, TimeUnit.SECONDS);
                assertEquals((long) MESSAGE * MESSAGES, result[0], "bytes the backend received");
                assertEquals(0, result[1], "bytes out of place");
            }
        }
    }
}
