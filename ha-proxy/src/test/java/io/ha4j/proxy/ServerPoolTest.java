package io.ha4j.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The server pool's choices without sockets: each balance algorithm, weights, backups, servers to avoid on a
 * retry, admin states and the slowstart ramp, on a clock the test sets. The end-to-end behaviour is in
 * {@link BalancingTest}; these pin the arithmetic (and kill the mutants PIT found surviving there).
 */
class ServerPoolTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private ServerPool pool(Balance balance, long slowStartNanos, boolean allBackups, Server... servers) {
        ServerPool pool = new ServerPool(balance, now::get, new Random(42), slowStartNanos, allBackups);
        for (Server s : servers) {
            pool.add(s);
        }
        return pool;
    }

    private static Server server(String name, int weight) {
        return new Server(Backend.builder(name, "127.0.0.1", 10_000 + name.hashCode() % 1000).weight(weight).build());
    }

    private static Server backup(String name) {
        return new Server(Backend.builder(name, "127.0.0.1", 11_000 + name.hashCode() % 1000).backup().build());
    }

    private static List<String> picks(ServerPool pool, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Server s = pool.select(null, null);
            out.add(s == null ? null : s.name);
        }
        return out;
    }

    @Test
    void roundRobinIsSmoothAndFollowsWeights() {
        ServerPool pool = pool(Balance.ROUND_ROBIN, 0, false, server("a", 3), server("b", 1));
        List<String> seq = picks(pool, 16);
        for (int block = 0; block < 4; block++) {
            List<String> four = seq.subList(block * 4, block * 4 + 4);
            assertEquals(3, four.stream().filter("a"::equals).count(), "3:1 in every block of 4: " + seq);
        }
        assertFalse(String.join("", seq).contains("bb"), "b never twice in a row: " + seq);
        ServerPool even = pool(Balance.ROUND_ROBIN, 0, false, server("x", 1), server("y", 1), server("z", 1));
        assertEquals(List.of("x", "y", "z", "x", "y", "z"), picks(even, 6), "equal weights alternate in order");
    }

    @Test
    void avoidedServersAreSkippedAndNothingLeftGivesNull() {
        Server a = server("a", 1);
        Server b = server("b", 1);
        ServerPool pool = pool(Balance.ROUND_ROBIN, 0, false, a, b);
        for (int i = 0; i < 4; i++) {
            assertSame(b, pool.select(null, List.of(a)), "a retry avoids the server that failed");
        }
        assertNull(pool.select(null, List.of(a, b)));
        assertTrue(pool.anyAvailable());
    }

    @Test
    void backupsServeOnlyWhenNoPrimaryAndOnlyTheFirstUnlessAllBackups() {
        Server a = server("a", 1);
        Server b1 = backup("b1");
        Server b2 = backup("b2");
        ServerPool pool = pool(Balance.ROUND_ROBIN, 0, false, a, b1, b2);
        assertEquals(List.of("a", "a", "a"), picks(pool, 3));
        a.up = false;
        assertEquals(List.of("b1", "b1", "b1", "b1"), picks(pool, 4), "only the first backup");
        b1.adminState = BackendState.MAINT;
        assertEquals(List.of("b2", "b2"), picks(pool, 2), "the next backup when the first is out");
        b1.adminState = BackendState.READY;
        ServerPool all = pool(Balance.ROUND_ROBIN, 0, true, server("p", 1), backup("c1"), backup("c2"));
        all.find("p").up = false;
        assertEquals(Set.of("c1", "c2"), new HashSet<>(picks(all, 4)), "allBackups spreads over every backup");
        a.up = true;
        assertEquals("a", pool.select(null, null).name, "a primary back takes over from the backups");
    }

    @Test
    void adminStatesAndWeightZeroTakeServersOut() {
        Server a = server("a", 1);
        Server b = server("b", 1);
        ServerPool pool = pool(Balance.ROUND_ROBIN, 0, false, a, b);
        a.adminState = BackendState.DRAIN;
        assertEquals(List.of("b", "b"), picks(pool, 2));
        assertEquals("DRAIN", a.status());
        a.adminState = BackendState.MAINT;
        assertEquals("MAINT", a.status());
        a.adminState = BackendState.READY;
        a.weight = 0;
        assertEquals(List.of("b", "b"), picks(pool, 2), "weight 0 drains");
        assertEquals("DRAIN", a.status());
        b.up = false;
        assertEquals("DOWN", b.status());
        assertNull(pool.select(null, null));
        assertFalse(pool.anyAvailable());
        a.weight = 1;
        assertEquals("UP", a.status());
        assertTrue(pool.anyAvailable());
        a.up = false;
        a.weight = 0;
        assertEquals("DOWN", a.status(), "a drained server that is down shows DOWN");
    }

    @Test
    void addRemoveAndFind() {
        Server a = server("a", 1);
        ServerPool pool = pool(Balance.ROUND_ROBIN, 0, false, a);
        assertThrows(IllegalArgumentException.class, () -> pool.add(server("a", 2)));
        assertSame(a, pool.find("a"));
        assertSame(a, pool.remove("a"));
        assertTrue(a.removed);
        assertFalse(a.isAvailable());
        assertNull(pool.remove("a"));
        assertNull(pool.select(null, null));
        assertEquals(List.of(), pool.servers());
        Server b = server("b", 1);
        pool.add(b);
        assertEquals(List.of(b), pool.servers());
    }

    @Test
    void leastConnectionsPicksFewestPerWeightAndRotatesTies() {
        Server a = server("a", 1);
        Server b = server("b", 2);
        Server c = server("c", 1);
        ServerPool pool = pool(Balance.LEAST_CONNECTIONS, 0, false, a, b, c);
        a.active.set(2);
        b.active.set(3); // 1.5 per unit of weight
        c.active.set(1);
        assertSame(c, pool.select(null, null));
        c.active.set(2);
        assertSame(b, pool.select(null, null), "3/2 < 2/1");
        a.active.set(0);
        b.active.set(0);
        c.active.set(0);
        assertEquals(Set.of("a", "b", "c"), new HashSet<>(picks(pool, 3)), "ties rotate");
    }

    @Test
    void sourceHashIsStickyAndSpreads() throws Exception {
        ServerPool pool = pool(Balance.SOURCE, 0, false, server("a", 1), server("b", 1), server("c", 1));
        Map<String, Integer> spread = new HashMap<>();
        for (int i = 1; i <= 60; i++) {
            InetAddress client = InetAddress.getByName("198.18.1." + i);
            String first = pool.select(client, null).name;
            assertEquals(first, pool.select(client, null).name, "the same client goes to the same server");
            spread.merge(first, 1, Integer::sum);
        }
        assertEquals(3, spread.size(), "60 clients reach all three: " + spread);
        spread.values().forEach(n -> assertTrue(n >= 10, "no server starved: " + spread));
        Server only = pool.select(null, null);
        assertTrue(only != null, "no client address still picks a server");
        assertEquals(0, ServerPool.mix(0));
        // Murmur3's fmix32, computed independently
        assertEquals(1364076727, ServerPool.mix(1));
        assertEquals(821347078, ServerPool.mix(2));
        assertEquals(-478359108, ServerPool.mix(0x12345678));
    }

    @Test
    void randomOfTwoPrefersTheLessLoaded() {
        Server a = server("a", 1);
        Server b = server("b", 1);
        ServerPool pool = pool(Balance.RANDOM_OF_TWO, 0, false, a, b);
        a.active.set(10);
        Map<String, Integer> picked = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            picked.merge(pool.select(null, null).name, 1, Integer::sum);
        }
        assertTrue(picked.getOrDefault("b", 0) > 120, "the idle one wins whenever both are drawn: " + picked);
        assertTrue(picked.getOrDefault("a", 0) > 0, "the loaded one still wins when drawn twice: " + picked);
        a.active.set(0);
        b.active.set(10);
        picked.clear();
        for (int i = 0; i < 200; i++) {
            picked.merge(pool.select(null, null).name, 1, Integer::sum);
        }
        assertTrue(picked.getOrDefault("a", 0) > 120, picked.toString());
    }

    @Test
    void slowStartRampsTheEffectiveWeight() {
        long window = 10_000_000_000L;
        Server s = server("s", 4);
        long full = 4L * Server.WEIGHT_SCALE;
        assertEquals(full, s.effectiveWeight(now.get(), window), "no ramp running");
        s.slowStartBeginNanos = now.get();
        assertTrue(s.inSlowStart(now.get(), window));
        assertEquals(1, s.effectiveWeight(now.get(), window), "at the start: 1, not 0");
        assertEquals(full / 4, s.effectiveWeight(now.get() + window / 4, window));
        assertEquals(full / 2, s.effectiveWeight(now.get() + window / 2, window));
        assertEquals(1, s.effectiveWeight(now.get() + 1, window), "a sliver of the window still gives 1");
        assertEquals(full, s.effectiveWeight(now.get(), 0), "slowstart off");
        assertTrue(!s.inSlowStart(now.get(), 0));
        assertTrue(!s.inSlowStart(now.get() + window, window), "the ramp ends at the window");
        assertEquals(full, s.effectiveWeight(now.get() + window, window));
        assertEquals(Long.MIN_VALUE, s.slowStartBeginNanos, "the ramp is over and forgotten");
        s.weight = 0;
        s.slowStartBeginNanos = now.get();
        assertEquals(0, s.effectiveWeight(now.get() + 1, window), "weight 0 stays 0 while ramping");
    }

    @Test
    void slowStartShiftsRoundRobinTowardsTheSettledServer() {
        long window = 10_000_000_000L;
        Server a = server("a", 1);
        Server b = server("b", 1);
        ServerPool pool = pool(Balance.ROUND_ROBIN, window, false, a, b);
        b.slowStartBeginNanos = now.get();
        now.addAndGet(window / 10);
        long bs = picks(pool, 100).stream().filter("b"::equals).count();
        assertTrue(bs > 0 && bs < 20, "a server 10% into its ramp gets about a tenth of a share: " + bs);
        now.addAndGet(window);
        bs = picks(pool, 100).stream().filter("b"::equals).count();
        assertEquals(50, bs, "after the ramp: even");
    }

    @Test
    void countersTrackOpenConnections() {
        Server s = server("s", 1);
        s.connectionOpened();
        s.connectionOpened();
        s.connectionClosed();
        s.connectionOpened();
        assertEquals(2, s.active.get());
        assertEquals(2, s.maxActive.get());
        assertEquals(3, s.total.sum());
        assertEquals("s", s.toString());
    }

    /** A Random whose draws the test names: each nextDouble() returns the next value given. */
    private static Random draws(double... values) {
        return new Random() {
            private int next;

            @Override
            public double nextDouble() {
                return values[next++ % values.length];
            }
        };
    }

    @Test
    void randomOfTwoComparesLoadPerWeightAndKeepsTheFirstDrawOnATie() {
        Server a = server("a", 2);
        Server b = server("b", 1);
        // total weight 3 x 256: a draw below 2/3 lands on a, above on b
        ServerPool pool = new ServerPool(Balance.RANDOM_OF_TWO, now::get, draws(0.1, 0.9), 0, false);
        pool.add(a);
        pool.add(b);
        a.active.set(2);
        b.active.set(1);
        assertSame(a, pool.select(null, null), "2 per 2 weight vs 1 per 1 weight: a tie, the first draw stays");
        a.active.set(3);
        assertSame(b, pool.select(null, null), "3 per 2 weight is more than 1 per 1");
        a.active.set(1);
        assertSame(a, pool.select(null, null), "1 per 2 weight is less than 1 per 1");
    }

    @Test
    void aDrawOnTheBoundaryBetweenTwoServersGoesToTheSecond() {
        Server a = server("a", 1);
        Server b = server("b", 1);
        // 0.5 of a total of 512 is 256: the first point past a's share of [0, 256)
        ServerPool pool = new ServerPool(Balance.RANDOM_OF_TWO, now::get, draws(0.5), 0, false);
        pool.add(a);
        pool.add(b);
        assertSame(b, pool.select(null, null));
        ServerPool low = new ServerPool(Balance.RANDOM_OF_TWO, now::get, draws(0.499), 0, false);
        low.add(server("x", 1));
        low.add(server("y", 1));
        assertEquals("x", low.select(null, null).name);
    }
}
