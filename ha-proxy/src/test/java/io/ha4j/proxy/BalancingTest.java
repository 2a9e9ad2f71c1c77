package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.testing.ManualScheduler;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Distribution of the selection algorithms, stepped by hand on a manual clock (no sockets). */
class BalancingTest {

    private final ManualScheduler clock = new ManualScheduler();

    private ServerPool pool(Balance balance, Duration slowStart, Server... servers) {
        ServerPool p = new ServerPool(balance, clock, new Random(7), slowStart.toNanos(), false);
        for (Server s : servers) {
            p.add(s);
        }
        return p;
    }

    private static Server server(String name, int weight) {
        return new Server(Backend.builder(name, "127.0.0.1", 10_000 + Math.abs(name.hashCode() % 1000)).weight(weight).build());
    }

    private static Server backup(String name) {
        return new Server(Backend.builder(name, "127.0.0.1", 11_000 + Math.abs(name.hashCode() % 1000)).backup().build());
    }

    private static Map<String, Integer> picks(ServerPool p, int n, boolean holdConnections) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Server s = p.select(null, null);
            counts.merge(s == null ? "none" : s.name, 1, Integer::sum);
            if (holdConnections && s != null) {
                s.connectionOpened();
            }
        }
        return counts;
    }

    @Test
    void testRoundRobinFollowsWeightsExactlyAndSmoothly() {
        Server a = server("a", 3);
        Server b = server("b", 1);
        Server c = server("c", 0);
        ServerPool p = pool(Balance.ROUND_ROBIN, Duration.ZERO, a, b, c);
        Map<String, Integer> counts = picks(p, 400, false);
        assertEquals(300, counts.get("a"));
        assertEquals(100, counts.get("b"));
        assertNull(counts.get("c"), "weight 0 drains");
        // smooth: never four a's in a row
        StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            seq.append(p.select(null, null).name);
        }
        assertTrue(!seq.toString().contains("aaaa"), seq.toString());
    }

    @Test
    void testRoundRobinSkipsDownDrainedAndDisabled() {
        Server a = server("a", 1);
        Server b = server("b", 1);
        Server c = server("c", 1);
        Server d = server("d", 1);
        ServerPool p = pool(Balance.ROUND_ROBIN, Duration.ZERO, a, b, c, d);
        b.up = false;
        c.adminState = BackendState.DRAIN;
        d.adminState = BackendState.MAINT;
        assertEquals(Map.of("a", 30), picks(p, 30, false));
    }

    @Test
    void testLeastConnectionsEvensOutActiveConnectionsByWeight() {
        Server a = server("a", 2);
        Server b = server("b", 1);
        ServerPool p = pool(Balance.LEAST_CONNECTIONS, Duration.ZERO, a, b);
        for (int i = 0; i < 10; i++) {
            b.connectionOpened(); // b starts loaded
        }
        Map<String, Integer> counts = picks(p, 50, true);
        // after 50 more: a should hold ~2x b's total; b had 10 already
        int aTotal = a.active.get();
        int bTotal = b.active.get();
        assertEquals(60, aTotal + bTotal);
        assertTrue(Math.abs(aTotal - 2 * bTotal) <= 2, "a=" + aTotal + " b=" + bTotal + " " + counts);
        // ties rotate: two empty equal servers alternate
        Server x = server("x", 1);
        Server y = server("y", 1);
        ServerPool q = pool(Balance.LEAST_CONNECTIONS, Duration.ZERO, x, y);
        assertEquals(Map.of("x", 5, "y", 5), picks(q, 10, false));
    }

    @Test
    void testSourceHashIsStickyAndWeighted() throws UnknownHostException {
        Server a = server("a", 1);
        Server b = server("b", 3);
        ServerPool p = pool(Balance.SOURCE, Duration.ZERO, a, b);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            InetAddress client = InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i});
            Server first = p.select(client, null);
            for (int k = 0; k < 3; k++) {
                assertSame(first, p.select(client, null), "same client, same server");
            }
            counts.merge(first.name, 1, Integer::sum);
        }
        double shareB = counts.get("b") / 4000.0;
        assertTrue(shareB > 0.70 && shareB < 0.80, "weight 3 of 4 gets ~75%: " + counts);
    }

    @Test
    void testRandomOfTwoPrefersTheLessLoadedServer() {
        Server a = server("a", 1);
        Server b = server("b", 1);
        Server c = server("c", 1);
        ServerPool p = pool(Balance.RANDOM_OF_TWO, Duration.ZERO, a, b, c);
        Map<String, Integer> counts = picks(p, 3000, true);
        for (Server s : List.of(a, b, c)) {
            assertTrue(Math.abs(s.active.get() - 1000) < 60, "power of two choices keeps load even: " + counts);
        }
        // with weights and no load feedback it follows the weights
        Server h = server("h", 3);
        Server l = server("l", 1);
        ServerPool q = pool(Balance.RANDOM_OF_TWO, Duration.ZERO, h, l);
        Map<String, Integer> weighted = picks(q, 4000, false);
        assertTrue(weighted.get("h") > weighted.get("l") * 2, "weight 3 vs 1: " + weighted);
    }

    @Test
    void testBackupOnlyWhenNoPrimaryIsAvailable() {
        Server a = server("a", 1);
        Server b = server("b", 1);
        Server bk1 = backup("bk1");
        Server bk2 = backup("bk2");
        for (Balance balance : Balance.values()) {
            ServerPool p = pool(balance, Duration.ZERO, a, b, bk1, bk2);
            a.up = true;
            b.up = true;
            Map<String, Integer> counts = picks(p, 20, false);
            assertNull(counts.get("bk1"), balance + ": " + counts);
            assertNull(counts.get("bk2"), balance + ": " + counts);
            a.up = false;
            b.adminState = BackendState.MAINT;
            assertEquals(Map.of("bk1", 20), picks(p, 20, false), balance + ": first backup only");
            bk1.up = false;
            assertEquals(Map.of("bk2", 20), picks(p, 20, false), balance + ": next backup");
            bk2.up = false;
            assertNull(p.select(null, null), balance + ": nothing available");
            assertTrue(!p.anyAvailable());
            b.adminState = BackendState.READY;
            bk1.up = true;
            bk2.up = true;
            assertEquals(Map.of("b", 20), picks(p, 20, false), balance + ": primary back, backups idle");
        }
    }

    @Test
    void testAllBackupsShareWhenConfigured() {
        Server a = server("a", 1);
        Server bk1 = backup("bk1");
        Server bk2 = backup("bk2");
        ServerPool p = new ServerPool(Balance.ROUND_ROBIN, clock, new Random(1), 0, true);
        p.add(a);
        p.add(bk1);
        p.add(bk2);
        a.up = false;
        assertEquals(Map.of("bk1", 10, "bk2", 10), picks(p, 20, false));
    }

    @Test
    void testSlowStartRampsWeightLinearlyOnTheClock() {
        Server a = server("a", 10);
        Server b = server("b", 10);
        ServerPool p = pool(Balance.ROUND_ROBIN, Duration.ofSeconds(60), a, b);
        b.slowStartBeginNanos = clock.nanoTime(); // b just came back
        int[] shareOfB = new int[5];
        for (int step = 0; step < 5; step++) {
            Map<String, Integer> counts = picks(p, 1000, false);
            shareOfB[step] = counts.getOrDefault("b", 0);
            clock.advance(Duration.ofSeconds(15));
        }
        // at 0s b has ~nothing; at 15s 1/4 of a's weight -> 20%; 30s -> 1/3; 45s -> 3/7; 60s -> 1/2
        assertTrue(shareOfB[0] <= 5, "at once: " + shareOfB[0]);
        assertTrue(Math.abs(shareOfB[1] - 200) <= 10, "after 15s: " + shareOfB[1]);
        assertTrue(Math.abs(shareOfB[2] - 333) <= 10, "after 30s: " + shareOfB[2]);
        assertTrue(Math.abs(shareOfB[3] - 429) <= 10, "after 45s: " + shareOfB[3]);
        assertEquals(500, shareOfB[4], "after 60s: full weight");
        assertEquals(Long.MIN_VALUE, b.slowStartBeginNanos, "the ramp ends");
        assertEquals(10L * Server.WEIGHT_SCALE, b.effectiveWeight(clock.nanoTime(), Duration.ofSeconds(60).toNanos()));
    }

    @Test
    void testAvoidListRedispatches() {
        Server a = server("a", 1);
        Server b = server("b", 1);
        ServerPool p = pool(Balance.ROUND_ROBIN, Duration.ZERO, a, b);
        for (int i = 0; i < 10; i++) {
            assertSame(b, p.select(null, List.of(a)));
        }
        assertNull(p.select(null, List.of(a, b)));
        assertNotEquals(null, p.select(null, null));
    }

    @Test
    void testRuntimeWeightChangeAppliesToNextPicks() {
        Server a = server("a", 1);
        Server b = server("b", 1);
        ServerPool p = pool(Balance.ROUND_ROBIN, Duration.ZERO, a, b);
        assertEquals(Map.of("a", 50, "b", 50), picks(p, 100, false));
        b.weight = 4;
        Map<String, Integer> counts = picks(p, 100, false);
        assertEquals(20, counts.get("a"));
        assertEquals(80, counts.get("b"));
    }
}
