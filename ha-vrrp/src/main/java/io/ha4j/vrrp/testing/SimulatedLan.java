package io.ha4j.vrrp.testing;

import io.ha4j.core.VirtualAddress;
import io.ha4j.core.internal.Validation;
import io.ha4j.core.testing.ManualScheduler;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A simulated Ethernet segment for VRRP tests: routers exchange adverts through it on a virtual clock, with loss,
 * delay and partitions per link, and routers can be paused (a GC pause) or crashed. Everything is deterministic for
 * a given seed and sequence of calls: time moves only when the test advances the {@link ManualScheduler}.
 *
 * <pre>{@code
 * ManualScheduler clock = new ManualScheduler();
 * SimulatedLan lan = new SimulatedLan(clock, 42);
 * SimulatedRouter r1 = lan.addRouter("r1", "198.18.0.1");
 * SimulatedRouter r2 = lan.addRouter("r2", "198.18.0.2");
 * VrrpInstance v1 = VrrpInstance.builder("VI_1").interfaceName("eth0").virtualRouterId(51).priority(150)
 *         .virtualAddress("198.18.0.100").transport(r1.transport()).build();
 * VrrpInstance v2 = ... .priority(100) ... .transport(r2.transport()).build();
 * v1.start(r1.context());
 * v2.start(r2.context());
 * clock.advance(Duration.ofSeconds(5));      // v1 is master; r1.vipManager() holds 198.18.0.100
 * r1.crash();
 * clock.advance(Duration.ofSeconds(4));      // v2 took over within Master_Down_Interval
 * }</pre>
 *
 * <p>Multicast adverts reach every other router's instances of the same family; unicast ones the router that has
 * the destination address. Delivered packets carry TTL 255 and the sender's address; the IPv6 checksum is
 * verified by the receiver's codec (nothing plays the kernel's part). Loss is drawn from the LAN's seeded random.
 * Routers are not told about partitions: like a real switch failure, a partition is only noticed through missing
 * adverts. A router's own link going down is told, as its kernel would: {@link SimulatedRouter#interfaceStateChanged}.
 */
public final class SimulatedLan {

    private final ManualScheduler scheduler;
    private final Random random;
    private final List<SimulatedRouter> routers = new CopyOnWriteArrayList<>();
    private final List<SimulatedTransport> endpoints = new CopyOnWriteArrayList<>();
    private final Map<String, Double> linkLoss = new HashMap<>();
    private final Map<String, Long> linkDelay = new HashMap<>();
    private final Map<SimulatedRouter, Integer> partitionOf = new HashMap<>();
    private double loss;
    private long delayNanos;
    private long sent;
    private long delivered;
    private long lost;

    /** A LAN on {@code scheduler}'s virtual time; {@code seed} drives loss and the routers' random sources. */
    public SimulatedLan(ManualScheduler scheduler, long seed) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.random = new Random(seed);
    }

    public ManualScheduler scheduler() {
        return scheduler;
    }

    /** Adds a router with one address per family it uses (literals, e.g. {@code "198.18.0.1"}, {@code "fe80::1"}). */
    public synchronized SimulatedRouter addRouter(String name, String... addresses) {
        Objects.requireNonNull(name, "name");
        if (addresses.length == 0) {
            throw new IllegalArgumentException("router " + name + " needs at least one address");
        }
        for (SimulatedRouter r : routers) {
            if (r.name().equals(name)) {
                throw new IllegalArgumentException("router " + name + " exists already");
            }
        }
        List<InetAddress> list = new ArrayList<>();
        for (String a : addresses) {
            list.add(VirtualAddress.parseLiteral(a));
        }
        SimulatedRouter router = new SimulatedRouter(this, name, list, scheduler, random.nextLong());
        routers.add(router);
        return router;
    }

    public List<SimulatedRouter> routers() {
        return List.copyOf(routers);
    }

    /** Moves virtual time forward (same as on the scheduler). */
    public void advance(Duration duration) {
        scheduler.advance(duration);
    }

    /** Probability in [0, 1] that a packet is lost on any link without a loss of its own. */
    public synchronized void loss(double probability) {
        this.loss = checkProbability(probability);
    }

    /** Probability in [0, 1] that a packet from {@code from} to {@code to} is lost (one direction). */
    public synchronized void loss(SimulatedRouter from, SimulatedRouter to, double probability) {
        linkLoss.put(key(from, to), checkProbability(probability));
    }

    /** One-way delay of every link without a delay of its own, in [0, 10s]. */
    public synchronized void delay(Duration delay) {
        this.delayNanos = Validation.inRange("delay", delay, Duration.ZERO, Duration.ofSeconds(10)).toNanos();
    }

    /** One-way delay from {@code from} to {@code to}, in [0, 10s]. */
    public synchronized void delay(SimulatedRouter from, SimulatedRouter to, Duration delay) {
        linkDelay.put(key(from, to), Validation.inRange("delay", delay, Duration.ZERO, Duration.ofSeconds(10)).toNanos());
    }

    /** Splits the segment: routers in different groups no longer hear each other; unlisted routers form one more group. */
    @SafeVarargs
    public final synchronized void partition(Collection<SimulatedRouter>... groups) {
        partitionOf.clear();
        int id = 1;
        for (Collection<SimulatedRouter> group : groups) {
            for (SimulatedRouter r : group) {
                partitionOf.put(r, id);
            }
            id++;
        }
    }

    /** Ends every partition. Loss and delay stay as set. */
    public synchronized void heal() {
        partitionOf.clear();
    }

    /** Whether packets can flow between {@code a} and {@code b} (same partition, neither crashed). */
    public synchronized boolean connected(SimulatedRouter a, SimulatedRouter b) {
        return !a.isCrashed() && !b.isCrashed()
                && partitionOf.getOrDefault(a, 0).equals(partitionOf.getOrDefault(b, 0));
    }

    /** Packets handed to the LAN (one per destination router). */
    public synchronized long packetsSent() {
        return sent;
    }

    public synchronized long packetsDelivered() {
        return delivered;
    }

    /** Packets lost to loss or partitions. */
    public synchronized long packetsLost() {
        return lost;
    }

    void attach(SimulatedTransport endpoint) {
        endpoints.add(endpoint);
    }

    void detach(SimulatedTransport endpoint) {
        endpoints.remove(endpoint);
    }

    void transmit(SimulatedTransport from, byte[] bytes, InetAddress destination) {
        boolean ipv6 = destination instanceof Inet6Address;
        boolean multicast = destination.isMulticastAddress();
        for (SimulatedTransport to : endpoints) {
            SimulatedRouter target = to.router();
            if (target == from.router() || to.spec().isIpv6() != ipv6) {
                continue;
            }
            if (!multicast && !target.addresses().contains(destination)) {
                continue;
            }
            long delay;
            synchronized (this) {
                sent++;
                if (!connected(from.router(), target)
                        || random.nextDouble() < linkLoss.getOrDefault(key(from.router(), target), loss)) {
                    lost++;
                    continue;
                }
                delivered++;
                delay = linkDelay.getOrDefault(key(from.router(), target), delayNanos);
            }
            InetAddress source = from.source();
            target.scheduler().schedule(() -> to.deliver(bytes, source, destination), delay);
        }
    }

    private static String key(SimulatedRouter from, SimulatedRouter to) {
        return from.name() + "->" + to.name();
    }

    private static double checkProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("loss must be in [0, 1], was " + p);
        }
        return p;
    }
}
