package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HealthCheck;
import io.ha4j.core.testkit.Await;
import io.ha4j.proxy.TestSupport.DeadPort;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client's failed connect counts against the backend's health (HAProxy's {@code observe layer4}) only when
 * {@link TcpBalancer.Builder#observeConnectFailures} is on: the agent turns it off so that a haproxy.cfg server
 * without {@code check} is never marked down, as in HAProxy.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ObserveConnectFailuresTest {

    private static boolean backendUpAfterRefusedConnects(boolean observe) throws Exception {
        try (DeadPort dead = new DeadPort();
             TcpBalancer balancer = TcpBalancer.builder("observe-" + observe).bind("127.0.0.1", 0).ioThreads(1)
                     .drainTimeout(Duration.ZERO).retries(2).connectTimeout(Duration.ofMillis(200)).observeConnectFailures(observe)
                     .healthCheck(b -> HealthCheck.of("always up", () -> true))
                     .backend(Backend.of("only", "127.0.0.1", dead.port)).build()) {
            balancer.start();
            // from health == rise (the initial state) one observed failure would end the retries at once
            Await.until(Duration.ofSeconds(10), "the backend passed its first check",
                    () -> balancer.stats().backend("only").health() > balancer.stats().backend("only").rise());
            try (Socket s = connect(balancer.boundAddresses().get(0))) {
                int read;
                try {
                    read = s.getInputStream().read();
                } catch (SocketException reset) {
                    read = -1;
                }
                assertEquals(-1, read, "the refused connects close the client");
            }
            Await.until(Duration.ofSeconds(5), "the session ended", () -> balancer.stats().activeConnections() == 0);
            // observed failures reach the checker asynchronously, so the last retry may or may not find it down yet
            long refused = balancer.stats().backend("only").connectErrors();
            assertTrue(observe ? refused >= 2 && refused <= 3 : refused == 3, "refused connects: " + refused);
            // observed failures reach the checker on its scheduler thread: give them a second to show
            return !Await.holdsWithin(Duration.ofSeconds(1), () -> !balancer.stats().backend("only").up());
        }
    }

    @Test
    void aRefusedConnectMarksTheBackendDownOnlyWhenObserved() throws Exception {
        assertFalse(backendUpAfterRefusedConnects(true), "observed (the default): the failure counts as a check");
        assertTrue(backendUpAfterRefusedConnects(false), "not observed: only the check decides");
    }
}
