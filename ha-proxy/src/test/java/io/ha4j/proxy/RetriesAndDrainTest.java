package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static io.ha4j.proxy.TestSupport.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HealthCheck;
import io.ha4j.core.testkit.Await;
import io.ha4j.proxy.TestSupport.DeadPort;
import io.ha4j.proxy.TestSupport.EchoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retries running out against backends that refuse every connection, and draining established connections (admin
 * {@code drain} of one backend, and {@link TcpBalancer#close(Duration)} of the whole balancer), on real loopback
 * sockets.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetriesAndDrainTest {

    private static int readOrEof(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    /** The client sees its connection closed once the retries ran out; returns connect errors and retries. */
    private static long[] clientClosedAfterRetries(TcpBalancer.Builder builder) throws Exception {
        try (TcpBalancer balancer = builder.healthCheck(x -> HealthCheck.of("always up", () -> true)).build()) {
            balancer.start();
            // A server starts at health == rise (HAProxy's init state), where one observed failure marks it DOWN
            // and ends the retries early; wait for the first passed check, as a loaded machine can delay it.
            Await.until(Duration.ofSeconds(10), "every backend passed its first check",
                    () -> balancer.stats().backends().stream().allMatch(b -> b.health() > b.rise()));
            try (Socket s = connect(balancer.boundAddresses().get(0))) {
                assertEquals(-1, readOrEof(s), "the client is closed when every attempt was refused");
            }
            Await.until(Duration.ofSeconds(5), "the session ended", () -> balancer.stats().activeConnections() == 0);
            long errors = 0;
            long retries = 0;
            for (BackendStats s : balancer.stats().backends()) {
                errors += s.connectErrors();
                retries += s.retries();
            }
            return new long[] {errors, retries};
        }
    }

    @Test
    void retriesRunOutAgainstRefusingBackendsAfterTheDefaultThreeAndTheConfiguredCount() throws Exception {
        try (DeadPort x = new DeadPort(); DeadPort y = new DeadPort()) {
            long[] byDefault = clientClosedAfterRetries(TcpBalancer.builder("retries-default").bind("127.0.0.1", 0)
                    .ioThreads(1).drainTimeout(Duration.ZERO)
                    .backend(Backend.of("x", "127.0.0.1", x.port)).backend(Backend.of("y", "127.0.0.1", y.port)));
            assertEquals(4, byDefault[0], "one connect plus the documented default of 3 retries, all refused");
            assertEquals(3, byDefault[1], "three retries counted");

            long[] one = clientClosedAfterRetries(TcpBalancer.builder("retries-1").bind("127.0.0.1", 0)
                    .ioThreads(1).drainTimeout(Duration.ZERO).retries(1)
                    .backend(Backend.of("x", "127.0.0.1", x.port)).backend(Backend.of("y", "127.0.0.1", y.port)));
            assertEquals(2, one[0], "retries(1): two attempts");
            assertEquals(1, one[1]);

            long[] none = clientClosedAfterRetries(TcpBalancer.builder("retries-0").bind("127.0.0.1", 0)
                    .ioThreads(1).drainTimeout(Duration.ZERO).retries(0)
                    .backend(Backend.of("x", "127.0.0.1", x.port)));
            assertEquals(1, none[0], "retries(0): one attempt");
            assertEquals(0, none[1]);
        }
    }

    @Test
    void adminDrainKeepsEstablishedConnectionsAndSendsNewOnesElsewhere() throws Exception {
        try (EchoServer a = new EchoServer("a", true);
             EchoServer b = new EchoServer("b", true);
             TcpBalancer balancer = TestSupport.balancer("drain-one", a, b)
                     .healthCheck(x -> HealthCheck.of("always up", () -> true))
                     .slowStart(Duration.ZERO)
                     .build()) {
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            try (Socket kept = connect(front)) {
                String drained = readLine(kept.getInputStream());
                String other = drained.equals("a") ? "b" : "a";
                balancer.drain(drained);
                assertEquals("DRAIN", balancer.stats().backend(drained).status(), balancer.stats().backend(drained).toString());
                Map<String, Integer> spread = new HashMap<>();
                for (int i = 0; i < 6; i++) {
                    try (Socket s = connect(front)) {
                        spread.merge(readLine(s.getInputStream()), 1, Integer::sum);
                    }
                }
                assertEquals(Map.of(other, 6), spread, "a draining backend takes no new connection");
                for (int i = 0; i < 3; i++) {
                    kept.getOutputStream().write(("still " + i + "\n").getBytes());
                    assertEquals("still " + i, readLine(kept.getInputStream()), "the established one keeps relaying");
                }
                assertEquals(1, balancer.stats().backend(drained).activeConnections());
            }
        }
    }

    @Test
    void closeDrainsEstablishedConnectionsUntilTheyEnd() throws Exception {
        try (EchoServer a = new EchoServer("a", true)) {
            TcpBalancer balancer = TestSupport.balancer("drain-close", a)
                    .healthCheck(x -> HealthCheck.of("always up", () -> true))
                    .build();
            balancer.start();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            CompletableFuture<Void> closed;
            try (Socket kept = connect(front)) {
                assertEquals("a", readLine(kept.getInputStream()));
                closed = CompletableFuture.runAsync(() -> balancer.close(Duration.ofSeconds(30)));
                Await.until(Duration.ofSeconds(10), "the balancer stopped accepting", () -> {
                    try (Socket late = connect(front)) {
                        return readOrEof(late) == -1;
                    } catch (IOException refused) {
                        return true;
                    }
                });
                for (int i = 0; i < 3; i++) {
                    kept.getOutputStream().write(("draining " + i + "\n").getBytes());
                    assertEquals("draining " + i, readLine(kept.getInputStream()), "an established connection is served while draining");
                }
                assertFalse(closed.isDone(), "close() waits for the established connection");
            }
            closed.get(20, TimeUnit.SECONDS); // the client left: the drain ends long before its 30 s deadline
            assertEquals(0, balancer.stats().activeConnections());
        }
    }

    @Test
    void closeEndsConnectionsStillOpenAtTheDrainDeadline() throws Exception {
        try (EchoServer a = new EchoServer("a", true)) {
            TcpBalancer balancer = TestSupport.balancer("drain-deadline", a)
                    .healthCheck(x -> HealthCheck.of("always up", () -> true))
                    .build();
            balancer.start();
            try (Socket kept = connect(balancer.boundAddresses().get(0))) {
                kept.setSoTimeout(20_000);
                assertEquals("a", readLine(kept.getInputStream()));
                CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> balancer.close(Duration.ofMillis(300)));
                assertEquals(-1, readOrEof(kept), "the connection still open at the deadline is closed");
                closed.get(20, TimeUnit.SECONDS);
            }
        }
    }
}
