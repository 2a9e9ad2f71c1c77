package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HealthCheck;
import io.ha4j.proxy.TestSupport.EchoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Thousands of connections through the balancer leave no file descriptor behind (counted in
 * {@code /proc/self/fd}, with a bounded wait for asynchronous closes).
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FdLeakTest {

    private static EchoServer echo;
    private static TcpBalancer balancer;
    private static InetSocketAddress front;

    @BeforeAll
    static void start() throws IOException {
        echo = new EchoServer("echo", false);
        balancer = TestSupport.balancer("fd", echo)
                .healthCheck(x -> HealthCheck.of("always up", () -> true)) // no check sockets to blur the count
                .healthCheckTimers(t -> t.inter(Duration.ofHours(1)))
                .build();
        balancer.start();
        front = balancer.boundAddresses().get(0);
        for (int i = 0; i < 50; i++) {
            roundTrip(); // warm up: classes loaded, pools created
        }
    }

    @AfterAll
    static void stop() {
        balancer.close();
        echo.close();
    }

    private static void roundTrip() throws IOException {
        try (Socket s = TestSupport.connect(front)) {
            s.getOutputStream().write(42);
            assertEquals(42, s.getInputStream().read());
        }
    }

    private static void assertBackTo(int baseline) throws InterruptedException {
        boolean settled = TestSupport.await(Duration.ofSeconds(20),
                () -> balancer.stats().activeConnections() == 0 && echo.connections() == 0 && TestSupport.fdCount() <= baseline);
        assertTrue(settled, "fds: baseline " + baseline + ", now " + TestSupport.fdCount()
                + "; balancer connections " + balancer.stats().activeConnections() + ", backend connections " + echo.connections());
    }

    @Test
    void testTenThousandSequentialConnectionsLeaveNoFd() throws Exception {
        assertBackTo(Integer.MAX_VALUE);
        int baseline = TestSupport.fdCount();
        for (int i = 0; i < 10_000; i++) {
            roundTrip();
        }
        assertBackTo(baseline);
        assertTrue(balancer.stats().totalConnections() >= 10_000);
    }

    @Test
    void testTwoThousandConcurrentConnectionsLeaveNoFd() throws Exception {
        assertBackTo(Integer.MAX_VALUE);
        int baseline = TestSupport.fdCount();
        List<Socket> open = new ArrayList<>(2000);
        try {
            for (int i = 0; i < 2000; i++) {
                open.add(TestSupport.connect(front));
            }
            for (Socket s : open) {
                s.getOutputStream().write(7);
            }
            for (Socket s : open) {
                assertEquals(7, s.getInputStream().read());
            }
            assertTrue(TestSupport.await(Duration.ofSeconds(10), () -> balancer.stats().activeConnections() == 2000),
                    "all 2000 open at once: " + balancer.stats().activeConnections());
            assertTrue(TestSupport.fdCount() >= baseline + 3 * 2000, "client, frontend and backend sockets are open");
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
        assertBackTo(baseline);
        assertTrue(balancer.stats().peakConnections() >= 2000);
    }
}
