package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static io.ha4j.proxy.TestSupport.readFully;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ha4j.core.HealthCheck;
import io.ha4j.proxy.TestSupport.EchoServer;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The portable NIO transport relays the same way (the other tests use epoll where it loads). */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NioTransportTest {

    @Test
    void testNioRelaysByteExactWithHalfClose() throws Exception {
        try (EchoServer echo = new EchoServer("e", false);
             TcpBalancer balancer = TestSupport.balancer("nio", echo)
                     .transport(Transport.NIO)
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .build()) {
            balancer.start();
            assertEquals("nio", balancer.transportName());
            byte[] sent = new byte[4 << 20];
            new Random(3).nextBytes(sent);
            try (Socket s = connect(balancer.boundAddresses().get(0))) {
                CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                    try {
                        s.getOutputStream().write(sent);
                        s.shutdownOutput();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                byte[] got = new byte[sent.length];
                readFully(s.getInputStream(), got);
                w.get(30, TimeUnit.SECONDS);
                assertArrayEquals(sent, got);
                assertEquals(-1, s.getInputStream().read());
            }
        }
    }
}
