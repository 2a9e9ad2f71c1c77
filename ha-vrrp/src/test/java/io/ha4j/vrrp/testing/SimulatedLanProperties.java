package io.ha4j.vrrp.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ha4j.core.HaEvent;
import io.ha4j.core.testing.ManualScheduler;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.UniqueElements;

/**
 * Election properties on a simulated LAN of 3-5 routers with random priorities, loss, delay, partitions and pauses,
 * all on virtual time (deterministic for the seed jqwik reports).
 */
class SimulatedLanProperties {

    /**
     * VrrpInstance.Builder#handoverLinger's default: a master that yielded keeps the VIP this long after hearing the
     * new one (make-before-break), so "quiet" includes it.
     */
    private static final Duration HANDOVER_LINGER = Duration.ofMillis(300);


    enum Kind { PARTITION, HEAL, PAUSE, RESUME, LOSS }

    /** Protocol variants the election must work with. */
    enum Flavour { V3_IPV4, V3_IPV4_MESSAGE_ONLY_CHECKSUM, V3_IPV6, V2_PASS, V3_UNICAST }

    /** One chaos step: an action, then {@code millis} of virtual time. */
    static final class Step {
        final Kind kind;
        final int router;
        final int mask;
        final double loss;
        final int millis;

        Step(Kind kind, int router, int mask, int lossPercent, int millis) {
            this.kind = kind;
            this.router = router;
            this.mask = mask;
            this.loss = lossPercent / 100.0;
            this.millis = millis;
        }

        @Override
        public String toString() {
            return kind + "(" + router + "," + Integer.toBinaryString(mask) + "," + loss + ")+" + millis + "ms";
        }
    }

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(1, 30), Arbitraries.integers().between(0, 40),
                Arbitraries.integers().between(0, 8000)).as(Step::new);
    }

    /** A LAN with one instance per router. */
    static final class Lan {
        final ManualScheduler clock = new ManualScheduler();
        final SimulatedLan lan;
        final List<SimulatedRouter> routers = new ArrayList<>();
        final List<VrrpInstance> instances = new ArrayList<>();
        final Duration interval;

        Lan(List<Integer> priorities, int intervalMillis, int delayMillis, long seed) throws Exception {
            this(priorities, intervalMillis, delayMillis, seed, List.of());
        }

        Lan(List<Integer> priorities, int intervalMillis, int delayMillis, long seed, List<Integer> startMillis)
                throws Exception {
            this(priorities, intervalMillis, delayMillis, seed, startMillis, Flavour.V3_IPV4);
        }

        /** Starts router i {@code startMillis.get(i)} after the first (0 if absent): lower priorities may lead. */
        Lan(List<Integer> priorities, int intervalMillis, int delayMillis, long seed, List<Integer> startMillis,
            Flavour flavour) throws Exception {
            lan = new SimulatedLan(clock, seed);
            lan.delay(Duration.ofMillis(delayMillis));
            interval = flavour == Flavour.V2_PASS ? Duration.ofSeconds(Math.max(1, intervalMillis / 1000))
                    : Duration.ofMillis(intervalMillis);
            boolean ipv6 = flavour == Flavour.V3_IPV6;
            int n = priorities.size();
            for (int i = 0; i < n; i++) {
                SimulatedRouter r = lan.addRouter("r" + i, ipv6 ? "fe80::" + (i + 1) : "198.18.0." + (i + 1));
                VrrpInstance.Builder b = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51)
                        .priority(priorities.get(i)).advertInterval(interval)
                        .virtualAddress(ipv6 ? "fe80::100" : "198.18.0.100").transport(r.transport());
                if (ipv6) {
                    b.virtualAddress("fd00::100/64");
                }
                if (flavour == Flavour.V2_PASS) {
                    b.version(2).authPass("k8s-vip");
                }
                if (flavour == Flavour.V3_IPV4_MESSAGE_ONLY_CHECKSUM && i % 2 == 0) {
                    b.checksumMode(io.ha4j.vrrp.ChecksumMode.MESSAGE_ONLY); // mixed conventions on one segment
                }
                if (flavour == Flavour.V3_UNICAST) {
                    for (int j = 0; j < n; j++) {
                        if (j != i) {
                            b.unicastPeer("198.18.0." + (j + 1));
                        }
                    }
                }
                routers.add(r);
                instances.add(b.build());
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < routers.size(); i++) {
                order.add(i);
            }
            order.sort((x, y) -> Integer.compare(offset(startMillis, x), offset(startMillis, y)));
            int elapsed = 0;
            for (int i : order) {
                clock.advance(Duration.ofMillis(offset(startMillis, i) - elapsed));
                elapsed = offset(startMillis, i);
                instances.get(i).start(routers.get(i).context());
            }
        }

        private static int offset(List<Integer> startMillis, int i) {
            return i < startMillis.size() ? startMillis.get(i) : 0;
        }

        List<Integer> masters() {
            List<Integer> m = new ArrayList<>();
            for (int i = 0; i < instances.size(); i++) {
                if (!routers.get(i).isCrashed() && instances.get(i).isMaster()) {
                    m.add(i);
                }
            }
            return m;
        }

        Duration maxMasterDown() {
            return instances.stream().map(VrrpInstance::masterDownInterval).max(Duration::compareTo).orElseThrow();
        }

        int stateChanges() {
            return (int) routers.stream().flatMap(r -> r.events().stream())
                    .filter(e -> e.kind() == HaEvent.Kind.STATE_CHANGE).count();
        }

        String describe() {
            return instances.stream().map(v -> v.effectivePriority() + ":" + v.state()).collect(Collectors.joining(", "));
        }
    }

    @Property(tries = 600)
    void onceConnectedAndQuietExactlyOneMasterWithTheHighestPriorityAndNoFlapping(
            @ForAll @Size(min = 3, max = 5) @UniqueElements List<@IntRange(min = 1, max = 254) Integer> priorities,
            @ForAll @Size(max = 8) List<@net.jqwik.api.From("steps") Step> chaos,
            @ForAll @IntRange(min = 0, max = 50) int delayMillis,
            @ForAll boolean fastAdverts,
            @ForAll @Size(max = 5) List<@IntRange(min = 0, max = 15000) Integer> startMillis,
            @ForAll Flavour flavour,
            @ForAll long seed) throws Exception {
        Lan net = new Lan(priorities, fastAdverts ? 100 : 1000, fastAdverts ? delayMillis / 2 : delayMillis, seed, startMillis,
                flavour);
        int n = priorities.size();
        for (Step s : chaos) {
            int r = s.router % n;
            switch (s.kind) {
                case PARTITION: {
                    List<SimulatedRouter> side = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        if ((s.mask & (1 << i)) != 0) {
                            side.add(net.routers.get(i));
                        }
                    }
                    net.lan.partition(side);
                    break;
                }
                case HEAL:
                    net.lan.heal();
                    break;
                case PAUSE:
                    net.routers.get(r).pause();
                    break;
                case RESUME:
                    net.routers.get(r).resume();
                    break;
                default:
                    net.lan.loss(s.loss);
                    break;
            }
            net.clock.advance(Duration.ofMillis(s.millis));
        }
        // connected and quiet: no partition, no loss, nobody paused
        net.lan.heal();
        net.lan.loss(0);
        net.routers.forEach(SimulatedRouter::resume);
        Duration settle = net.maxMasterDown().plus(net.interval).plus(Duration.ofMillis(2L * delayMillis))
                .plus(HANDOVER_LINGER);
        net.clock.advance(settle);

        List<Integer> masters = net.masters();
        assertEquals(1, masters.size(), () -> "masters " + masters + " after " + chaos + ": " + net.describe());
        int best = priorities.stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertEquals(best, net.instances.get(masters.get(0)).effectivePriority(), net::describe);
        assertTrue(net.routers.get(masters.get(0)).vipManager().isPresent(net.instances.get(0).virtualAddresses().get(0)));
        for (int i = 0; i < n; i++) {
            if (i != masters.get(0)) {
                assertTrue(net.routers.get(i).vipManager().managed().isEmpty(), "a backup holds no VIP");
            }
        }

        int changes = net.stateChanges();
        net.clock.advance(Duration.ofSeconds(30));
        assertEquals(changes, net.stateChanges(), "stable inputs: no flapping");
        assertEquals(masters, net.masters());
        for (VrrpInstance v : net.instances) {
            assertEquals(0, v.counters().dropped(io.ha4j.vrrp.DropReason.CHECKSUM), "valid adverts only: " + v.counters());
        }
    }

    @Property(tries = 200)
    void simultaneousStartElectsTheHighestPriorityAndTiesGoToTheHighestAddress(
            @ForAll @Size(min = 3, max = 5) List<@IntRange(min = 1, max = 6) Integer> priorities,
            @ForAll @IntRange(min = 0, max = 50) int delayMillis,
            @ForAll Flavour flavour,
            @ForAll long seed) throws Exception {
        Lan net = new Lan(priorities, 1000, delayMillis, seed, List.of(), flavour);
        net.clock.advance(net.maxMasterDown().plus(net.interval).plus(Duration.ofMillis(2L * delayMillis))
                .plus(HANDOVER_LINGER));
        List<Integer> masters = net.masters();
        assertEquals(1, masters.size(), net::describe);
        int best = priorities.stream().mapToInt(Integer::intValue).max().orElseThrow();
        int expected = -1;
        for (int i = 0; i < priorities.size(); i++) {
            if (priorities.get(i) == best) {
                expected = i; // addresses grow with the index
            }
        }
        assertEquals(expected, masters.get(0), net::describe);
    }

    @Property(tries = 300)
    void aCrashedMasterIsReplacedWithinMasterDownIntervalPlusOneAdvert(
            @ForAll @Size(min = 3, max = 5) @UniqueElements List<@IntRange(min = 1, max = 254) Integer> priorities,
            @ForAll @IntRange(min = 0, max = 30) int delayMillis,
            @ForAll @IntRange(min = 0, max = 3000) int crashOffsetMillis,
            @ForAll @Size(max = 5) List<@IntRange(min = 0, max = 15000) Integer> startMillis,
            @ForAll long seed) throws Exception {
        Lan net = new Lan(priorities, 1000, delayMillis, seed, startMillis);
        net.clock.advance(net.maxMasterDown().multipliedBy(2));
        net.clock.advance(Duration.ofMillis(crashOffsetMillis));
        List<Integer> before = net.masters();
        assertEquals(1, before.size(), net::describe);
        net.routers.get(before.get(0)).crash();

        long crashedAt = net.clock.nanoTime();
        List<Integer> after = net.masters();
        while (after.isEmpty() && net.clock.nanoTime() - crashedAt < Duration.ofSeconds(30).toNanos()) {
            net.clock.advance(Duration.ofMillis(1));
            after = net.masters();
        }
        assertEquals(1, after.size(), net::describe);
        VrrpInstance successor = net.instances.get(after.get(0));
        int secondBest = priorities.stream().filter(p -> p != (int) priorities.get(before.get(0)))
                .mapToInt(Integer::intValue).max().orElseThrow();
        assertEquals(secondBest, successor.effectivePriority());
        Duration bound = successor.masterDownInterval().plus(net.interval);
        assertTrue(net.clock.nanoTime() - crashedAt <= bound.toNanos(),
                () -> "took " + (net.clock.nanoTime() - crashedAt) / 1_000_000 + " ms, bound " + bound.toMillis() + " ms");
    }

    @Property(tries = 60)
    void gracefulStopHandsOverAfterSkewTime(
            @ForAll @Size(min = 3, max = 5) @UniqueElements List<@IntRange(min = 1, max = 254) Integer> priorities,
            @ForAll long seed) throws Exception {
        Lan net = new Lan(priorities, 1000, 0, seed);
        net.clock.advance(net.maxMasterDown().multipliedBy(2));
        int master = net.masters().get(0);
        net.instances.get(master).close();
        assertEquals(VrrpState.STOP, net.instances.get(master).state());
        assertTrue(net.routers.get(master).vipManager().managed().isEmpty(), "released its VIP");
        net.clock.advance(Duration.ofSeconds(1)); // Skew_Time < 1 s for every priority >= 1
        assertEquals(1, net.masters().size(), net::describe);
    }
}
