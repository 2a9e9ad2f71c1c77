package io.ha4j.proxy;

import static io.ha4j.proxy.TestSupport.connect;
import static io.ha4j.proxy.TestSupport.readLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.ComponentContext;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.testing.DirectExecutorService;
import io.ha4j.core.testing.ManualScheduler;
import io.ha4j.proxy.TestSupport.EchoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Health transitions with real TCP checks against real servers, the checker's timers stepped by hand
 * (manual scheduler, checks run inline), so each transition happens at a known step.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthTest {

    private final ManualScheduler scheduler = new ManualScheduler();

    private ComponentContext context() {
        return ComponentContext.builder().clusterName("health").scheduler(scheduler).blockingExecutor(new DirectExecutorService()).build();
    }

    private static Map<String, Integer> spread(InetSocketAddress front, int clients) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < clients; i++) {
            try (Socket s = connect(front)) {
                String who = readLine(s.getInputStream());
                counts.merge(who == null ? "refused" : who, 1, Integer::sum);
            }
        }
        return counts;
    }

    @Test
    void testDeadBackendIsTakenOutAndReturnsAfterRise() throws Exception {
        try (EchoServer a = new EchoServer("a", true);
             EchoServer b = new EchoServer("b", true);
             EchoServer c = new EchoServer("c", true);
             ComponentContext ctx = context();
             TcpBalancer balancer = TestSupport.balancer("health", a, b, c)
                     .healthCheck(TestSupport.tcpCheck())
                     .healthCheckTimers(t -> t.inter(Duration.ofSeconds(1)).rise(2).fall(2).timeout(Duration.ofSeconds(1)))
                     .slowStart(Duration.ZERO)
                     .build()) {
            balancer.start(ctx);
            scheduler.runDueTasks(); // first checks: all pass
            InetSocketAddress front = balancer.boundAddresses().get(0);
            assertEquals(Map.of("a", 10, "b", 10, "c", 10), spread(front, 30));

            c.kill();
            scheduler.advance(Duration.ofSeconds(1)); // one failure: fully up (3 of 3) -> 2, still UP
            assertEquals("UP", balancer.stats().backend("c").status(), "fall is 2");
            scheduler.advance(Duration.ofSeconds(1)); // second failure: below rise -> DOWN
            assertEquals("DOWN", balancer.stats().backend("c").status());
            assertFalse(balancer.healthChecker("c").isUp());
            assertEquals(Map.of("a", 15, "b", 15), spread(front, 30), "a dead backend takes no new connections");

            c.restart();
            scheduler.advance(Duration.ofSeconds(1)); // 1 success of rise 2
            assertEquals("DOWN", balancer.stats().backend("c").status(), "one success is not enough");
            assertNull(spread(front, 10).get("c"));
            scheduler.advance(Duration.ofSeconds(1)); // rise reached
            assertEquals("UP", balancer.stats().backend("c").status());
            Map<String, Integer> after = spread(front, 30);
            assertEquals(10, after.get("c"), "back in rotation: " + after);
            assertEquals(1, balancer.stats().backend("c").downTransitions());
        }
    }

    @Test
    void testReturningBackendRampsUpOverSlowStartOnTheClusterClock() throws Exception {
        try (EchoServer a = new EchoServer("a", true);
             EchoServer b = new EchoServer("b", true);
             EchoServer c = new EchoServer("c", true);
             ComponentContext ctx = context();
             TcpBalancer balancer = TestSupport.balancer("slowstart", a, b, c)
                     .healthCheck(TestSupport.tcpCheck())
                     .healthCheckTimers(t -> t.inter(Duration.ofSeconds(1)).rise(1).fall(1))
                     // no slowStart(...): the documented default of 60 s is what the ramp below measures
                     .build()) {
            balancer.start(ctx);
            scheduler.runDueTasks();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            assertEquals(Map.of("a", 10, "b", 10, "c", 10), spread(front, 30), "no slowstart at startup");
            c.kill();
            scheduler.advance(Duration.ofSeconds(1));
            assertEquals("DOWN", balancer.stats().backend("c").status());
            c.restart();
            scheduler.advance(Duration.ofSeconds(1));
            assertEquals("UP", balancer.stats().backend("c").status());
            assertNull(spread(front, 30).get("c"), "just back: almost no weight");
            scheduler.advance(Duration.ofSeconds(30)); // half way: weight 1/2 next to two of weight 1 -> 20%
            assertEquals(1, balancer.stats().backend("c").effectiveWeight(), "rounded up for display");
            int halfWay = spread(front, 50).getOrDefault("c", 0);
            assertTrue(halfWay >= 8 && halfWay <= 12, "about 10 of 50 at 30s: " + halfWay);
            scheduler.advance(Duration.ofSeconds(30)); // ramp over
            int full = spread(front, 30).getOrDefault("c", 0);
            assertTrue(full >= 9 && full <= 11, "a full third after 60s: " + full);
        }
    }

    @Test
    void testMarkedDownShutsDownItsSessionsOnly() throws Exception {
        AtomicBoolean bHealthy = new AtomicBoolean(true);
        try (EchoServer a = new EchoServer("a", true);
             EchoServer b = new EchoServer("b", true);
             ComponentContext ctx = context();
             TcpBalancer balancer = TestSupport.balancer("shutdown-sessions")
                     .backend(Backend.of("a", "127.0.0.1", a.port()))
                     .backend(Backend.builder("b", "127.0.0.1", b.port()).check(HealthCheck.of("b toggle", bHealthy::get)).build())
                     .healthCheck(TestSupport.tcpCheck())
                     .healthCheckTimers(t -> t.inter(Duration.ofSeconds(1)).rise(2).fall(1))
                     .build()) {
            balancer.start(ctx);
            scheduler.runDueTasks();
            InetSocketAddress front = balancer.boundAddresses().get(0);
            List<Socket> onA = new ArrayList<>();
            List<Socket> onB = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    Socket s = connect(front);
                    (readLine(s.getInputStream()).equals("a") ? onA : onB).add(s);
                }
                assertEquals(3, onB.size());
                bHealthy.set(false);
                scheduler.advance(Duration.ofSeconds(1));
                assertEquals("DOWN", balancer.stats().backend("b").status());
                for (Socket s : onB) {
                    assertEquals(-1, readOrEof(s), "connections to the dead server are closed");
                }
                for (Socket s : onA) {
                    s.getOutputStream().write("ping\n".getBytes());
                    assertEquals("ping", readLine(s.getInputStream()), "connections to a healthy server continue");
                }
                assertTrue(TestSupport.await(Duration.ofSeconds(5), () -> balancer.stats().backend("b").killed() == 3));
            } finally {
                for (Socket s : onA) {
                    s.close();
                }
                for (Socket s : onB) {
                    s.close();
                }
            }
        }
    }

    @Test
    void testFailedRealConnectCountsAsFailedCheck() throws Exception {
        try (TestSupport.DeadPort deadPort = new TestSupport.DeadPort();
             EchoServer a = new EchoServer("a", true);
             ComponentContext ctx = context();
             TcpBalancer balancer = TestSupport.balancer("passive")
                     .backend(Backend.builder("dead", "127.0.0.1", deadPort.port).check(HealthCheck.of("looks fine", () -> true)).build())
                     .backend(Backend.of("a", "127.0.0.1", a.port()))
                     .healthCheck(TestSupport.tcpCheck())
                     .healthCheckTimers(t -> t.inter(Duration.ofSeconds(30)).rise(2).fall(2))
                     .build()) {
            balancer.start(ctx);
            scheduler.runDueTasks();
            assertEquals("UP", balancer.stats().backend("dead").status(), "the active check passes");
            InetSocketAddress front = balancer.boundAddresses().get(0);
            assertEquals(Map.of("a", 4), spread(front, 4), "refused connects are redispatched to a");
            assertEquals(2, balancer.stats().backend("dead").connectErrors(), "round robin sent 2 of 4 there first");
            scheduler.runDueTasks(); // apply the passive reports queued by the event loop
            BackendStats dead = balancer.stats().backend("dead");
            assertEquals("DOWN", dead.status(), "failed real connects took it down: " + dead);
            assertTrue(dead.connectErrors() >= 1);
        }
    }

    private static int readOrEof(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (java.net.SocketException reset) {
            return -1;
        }
    }
}
