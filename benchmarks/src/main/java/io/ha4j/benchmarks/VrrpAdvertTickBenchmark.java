package io.ha4j.benchmarks;

import io.ha4j.core.Clock;
import io.ha4j.core.ComponentContext;
import io.ha4j.core.InMemoryVipManager;
import io.ha4j.core.ScheduledTask;
import io.ha4j.core.Scheduler;
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
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A master {@link VrrpInstance}'s advert timer firing once, through the public API only: the timer task runs the
 * state machine's step, which encodes the advert (v3, one IPv4 VIP, checksum with the IPv4 pseudo-header), hands it
 * to the transport and re-arms the timer one interval later. This is what a master does every advert interval, so
 * it must allocate nothing ({@code gc.alloc.rate.norm} ~ 0 with {@code -prof gc}). It replaces the former
 * {@code VrrpStateMachineBenchmark}, which compiled into {@code io.ha4j.vrrp} to reach the package-private machine;
 * a backup's step on an advert is {@link VrrpReceiveBenchmark}.
 *
 * <p>The benchmark thread is the scheduler thread: a {@link Scheduler} that keeps its one pending timer with a
 * preallocated handle, and whose clock the benchmark moves one interval per operation.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar VrrpAdvertTickBenchmark -prof gc -f 1 -wi 2 -i 3 -w 2s -r 3s}
 */
@BenchmarkMode(Mode.AverageTime)
public class VrrpAdvertTickBenchmark extends AbstractMicrobenchmark {

    private static final long INTERVAL_NS = 1_000_000_000L;

    private final SteppedScheduler scheduler = new SteppedScheduler();
    private final CountingTransport transport = new CountingTransport();
    private VrrpInstance instance;
    private ComponentContext context;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        transport.source = InetAddress.getByName("198.18.0.1");
        context = ComponentContext.builder().clusterName("bench").scheduler(scheduler).build();
        instance = VrrpInstance.builder("VI_BENCH")
                .interfaceName("eth0")
                .virtualRouterId(51)
                .priority(255) // address owner: MASTER at start
                .advertInterval(Duration.ofSeconds(1))
                .virtualAddress("198.18.0.10/24")
                .garpMasterDelay(Duration.ZERO)
                .transport(spec -> transport)
                .vipManager(new InMemoryVipManager())
                .build();
        instance.start(context);
        if (instance.state() != VrrpState.MASTER || scheduler.pending == null) {
            throw new IllegalStateException("expected MASTER with its advert timer, was " + instance.state());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        instance.close();
        context.close();
    }

    @Benchmark
    public long advertTick() {
        scheduler.now += INTERVAL_NS;
        scheduler.runPending();
        return transport.sent;
    }

    /** Counts sends; the bytes go nowhere. */
    static final class CountingTransport implements VrrpTransport {
        InetAddress source;
        long sent;

        @Override
        public void start(Receiver receiver) {
        }

        @Override
        public InetAddress sourceAddress() {
            return source;
        }

        @Override
        public void send(ByteBuffer pdu, InetAddress destination) {
            pdu.position(pdu.limit());
            sent++;
        }

        @Override
        public void close() {
        }
    }

    /** One pending task, a preallocated handle, time moved by the benchmark; every caller is the scheduler thread. */
    static final class SteppedScheduler implements Scheduler, Clock {
        long now = 1_000_000_000L;
        Runnable pending;
        private final ScheduledTask handle = () -> {
            boolean had = pending != null;
            pending = null;
            return had;
        };

        void runPending() {
            Runnable task = pending;
            pending = null;
            if (task != null) {
                task.run();
            }
        }

        @Override
        public Clock clock() {
            return this;
        }

        @Override
        public long nanoTime() {
            return now;
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
