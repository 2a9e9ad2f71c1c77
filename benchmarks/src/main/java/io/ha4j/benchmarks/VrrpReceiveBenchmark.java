package io.ha4j.benchmarks;

import io.ha4j.core.Clock;
import io.ha4j.core.ComponentContext;
import io.ha4j.core.InMemoryVipManager;
import io.ha4j.core.ScheduledTask;
import io.ha4j.core.Scheduler;
import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.netlink.VrrpSocket;
import io.ha4j.vrrp.VrrpCounters;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpState;
import io.ha4j.vrrp.VrrpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A backup {@link VrrpInstance} receiving one advert from its master, through the public API only: the
 * transport's receive callback runs keepalived's receive checks (length, TTL, version, auth, type, checksum
 * with the IPv4 pseudo-header for v3), the address-list comparison and one state-machine step (the down timer
 * moves). This is the work a backup does for every advert, so it must allocate nothing
 * ({@code gc.alloc.rate.norm} ~ 0 with {@code -prof gc}, which counts every thread of the JVM).
 *
 * <p>{@code path}:
 * <ul>
 *   <li>{@code scheduler}: as in production. The benchmark thread plays the transport's receive thread: the callback
 *       copies the packet into the instance's receive queue and, the queue being empty, hands the preallocated drain
 *       task to the cluster's real {@link io.ha4j.core.SystemScheduler}, whose thread runs the checks and the state
 *       machine; the operation ends when the advert has been counted as received. So ns/op includes waking the
 *       scheduler thread, and B/op what both threads allocate.</li>
 *   <li>{@code inline}: the work alone. The benchmark thread plays the scheduler thread (a stand-in {@link Scheduler}
 *       whose time stands still and which keeps its one pending timer without allocating), so the packet is processed
 *       inline, with no hand-over.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar VrrpReceiveBenchmark -prof gc -f 1 -wi 2 -i 3 -w 2s -r 3s}
 */
@BenchmarkMode(Mode.AverageTime)
public class VrrpReceiveBenchmark extends AbstractMicrobenchmark {

    @Param({"3", "2"})
    public int version;

    @Param({"scheduler", "inline"})
    public String path;

    private final ByteBuffer advert = ByteBuffer.allocate(64);
    private final ReceivedPacket metadata = new ReceivedPacket();
    private VrrpInstance instance;
    private ComponentContext context;
    private CapturingTransport transport;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        InetAddress self = InetAddress.getByName("198.18.0.1");
        InetAddress master = InetAddress.getByName("198.18.0.2");
        transport = new CapturingTransport(self);
        if (path.equals("scheduler")) {
            context = ComponentContext.standalone("bench"); // a SystemScheduler thread of its own, as in a cluster
        } else {
            context = ComponentContext.builder().clusterName("bench").scheduler(new StillScheduler()).build();
        }
        instance = VrrpInstance.builder("VI_BENCH")
                .interfaceName("eth0")
                .virtualRouterId(51)
                .priority(100)
                .version(version)
                .advertInterval(Duration.ofSeconds(1))
                .virtualAddress("198.18.0.10/24")
                .transport(spec -> transport)
                .vipManager(new InMemoryVipManager())
                .build();
        instance.start(context);
        if (instance.state() != VrrpState.BACKUP) {
            throw new IllegalStateException("expected BACKUP after start, was " + instance.state());
        }
        // The master's advert, as keepalived sends it: priority 200, advert_int 1 s, VIP 198.18.0.10.
        byte[] vip = InetAddress.getByName("198.18.0.10").getAddress();
        advert.put(0, (byte) ((version << 4) | 1)).put(1, (byte) 51).put(2, (byte) 200).put(3, (byte) 1);
        if (version == 2) {
            advert.put(4, (byte) 0).put(5, (byte) 1);
        } else {
            advert.putShort(4, (short) 100);
        }
        advert.putShort(6, (short) 0);
        advert.put(8, vip[0]).put(9, vip[1]).put(10, vip[2]).put(11, vip[3]);
        int length = version == 2 ? 20 : 12; // v2 carries 8 bytes of (empty) authentication data
        for (int i = 12; i < length; i++) {
            advert.put(i, (byte) 0);
        }
        byte[] group = VrrpSocket.IPV4_GROUP.getAddress();
        long sum = version == 3 ? pseudoHeaderSum(master.getAddress(), group, length) : 0;
        for (int i = 0; i < length; i += 2) {
            sum += ((advert.get(i) & 0xff) << 8) | (advert.get(i + 1) & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        advert.putShort(6, (short) ~sum);
        advert.limit(length);
        metadata.clear().source(master).destination(VrrpSocket.IPV4_GROUP).ttl(255).interfaceIndex(2);
        // one advert outside the measurement: it must be accepted, not dropped
        receiveAdvert();
        if (instance.counters().advertsReceived() != 1) {
            throw new IllegalStateException("advert not processed: " + instance.counters());
        }
        if (instance.counters().advertsReceived() != 1 || instance.counters().droppedTotal() != 0
                || instance.counters().addressListMismatch() != 0 || instance.state() != VrrpState.BACKUP) {
            throw new IllegalStateException("advert not accepted as valid: " + instance.counters());
        }
    }

    private static long pseudoHeaderSum(byte[] source, byte[] destination, int length) {
        long sum = 0;
        for (int i = 0; i < 4; i += 2) {
            sum += ((source[i] & 0xff) << 8) | (source[i + 1] & 0xff);
            sum += ((destination[i] & 0xff) << 8) | (destination[i + 1] & 0xff);
        }
        return sum + 112 + length;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        instance.close();
        context.close();
    }

    @Benchmark
    public VrrpState receiveAdvert() {
        VrrpCounters counters = instance.counters();
        long before = counters.advertsReceived() + counters.droppedTotal();
        advert.position(0);
        transport.receiver.onPacket(advert, metadata);
        while (counters.advertsReceived() + counters.droppedTotal() == before) {
            Thread.onSpinWait(); // path "scheduler": the scheduler thread has the packet
        }
        return instance.state();
    }

    /** Keeps the receive callback; sends go nowhere. */
    static final class CapturingTransport implements VrrpTransport {
        private final InetAddress source;
        Receiver receiver;

        CapturingTransport(InetAddress source) {
            this.source = source;
        }

        @Override
        public void start(Receiver r) {
            this.receiver = r;
        }

        @Override
        public InetAddress sourceAddress() {
            return source;
        }

        @Override
        public void send(ByteBuffer pdu, InetAddress destination) {
            pdu.position(pdu.limit());
        }

        @Override
        public void close() {
        }
    }

    /**
     * Time stands still and every caller counts as the scheduler thread; the one pending task is kept (and
     * never run), with a preallocated handle, so the scheduler adds no allocation of its own.
     */
    static final class StillScheduler implements Scheduler, Clock {
        private static final long NOW = 1_000_000_000L;
        private Runnable pending;
        private final ScheduledTask handle = () -> {
            boolean had = pending != null;
            pending = null;
            return had;
        };

        @Override
        public Clock clock() {
            return this;
        }

        @Override
        public long nanoTime() {
            return NOW;
        }

        @Override
        public ScheduledTask schedule(Runnable task, long delayNanos) {
            pending = task;
            return handle;
        }

        @Override
        public boolean inSchedulerThread() {
            return true;
        }
    }
}
