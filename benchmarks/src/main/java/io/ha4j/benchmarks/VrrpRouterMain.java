package io.ha4j.benchmarks;

import io.ha4j.core.HaCluster;
import io.ha4j.netlink.LinuxVipManager;
import io.ha4j.vrrp.RawSocketTransport;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpListener;
import io.ha4j.vrrp.VrrpState;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The ha4j router of {@code benchmarks/failover.sh}: one {@link HaCluster} with one {@link VrrpInstance} on
 * ha-vrrp's {@link RawSocketTransport} and ha-netlink's {@link LinuxVipManager}, the counterpart of one keepalived
 * with one {@code vrrp_instance}. Run it inside a network namespace:
 *
 * <pre>
 * ip netns exec NS java -cp benchmarks/target/benchmarks.jar io.ha4j.benchmarks.VrrpRouterMain \
 *     --interface eth0 --vrid 51 --priority 200 --version 3 --advert-ms 50 --vip 198.18.0.10/24 \
 *     [--gc-pressure-threads 2 --gc-live-mb 200]
 * </pre>
 *
 * Every state change is printed as one line {@code STATE <from> <to> <epoch-ms> <reason>} so that the harness
 * can count transitions. SIGTERM closes the cluster: a master sends priority 0 and hands its VIP over
 * make-before-break (graceful stop); SIGHUP is a runtime step-down ({@link VrrpInstance#stepDown}, held
 * {@value #STEP_DOWN_HOLD_SECONDS} s); SIGKILL is the crash. A completed handover prints
 * {@code HANDOVER <epoch-ms> heard|unheard}.
 *
 * <p>With {@code --gc-pressure-threads N}, N threads allocate as fast as they can while keeping about
 * {@code --gc-live-mb} MiB of it alive in a randomly overwritten table, so that young and mixed collections run
 * all the time: the JVM-pause scenario (keepalived's "thread timer expired" split brain, #2066).
 */
public final class VrrpRouterMain {

    static final int STEP_DOWN_HOLD_SECONDS = 60;

    private VrrpRouterMain() {
    }

    /** Parsed command line. */
    static final class Options {
        String interfaceName = "eth0";
        int vrid = 51;
        int priority = 100;
        int version = 3;
        long advertMillis = 1000;
        String vip;
        int gcThreads;
        int gcLiveMb = 200;
        /** {@code VrrpInstance.Builder.coordinatedPreemption} in ms; 0: off. */
        long coordinatedPreemptionMillis;

        static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--interface": o.interfaceName = v; break;
                    case "--vrid": o.vrid = Integer.parseInt(v); break;
                    case "--priority": o.priority = Integer.parseInt(v); break;
                    case "--version": o.version = Integer.parseInt(v); break;
                    case "--advert-ms": o.advertMillis = Long.parseLong(v); break;
                    case "--vip": o.vip = v; break;
                    case "--gc-pressure-threads": o.gcThreads = Integer.parseInt(v); break;
                    case "--gc-live-mb": o.gcLiveMb = Integer.parseInt(v); break;
                    case "--coordinated-preemption-ms": o.coordinatedPreemptionMillis = Long.parseLong(v); break;
                    default:
                        throw new IllegalArgumentException("unknown option " + a + " (known: --interface --vrid --priority"
                                + " --version --advert-ms --vip --gc-pressure-threads --gc-live-mb"
                                + " --coordinated-preemption-ms)");
                }
            }
            if (o.vip == null) {
                throw new IllegalArgumentException("--vip CIDR is required, e.g. --vip 198.18.0.10/24");
            }
            if (o.gcThreads < 0 || o.gcThreads > 64) {
                throw new IllegalArgumentException("--gc-pressure-threads must be in [0, 64], was " + o.gcThreads);
            }
            if (o.gcLiveMb < 1 || o.gcLiveMb > 65536) {
                throw new IllegalArgumentException("--gc-live-mb must be in [1, 65536], was " + o.gcLiveMb);
            }
            return o;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("VrrpRouterMain: " + e.getMessage());
            System.exit(2);
            return;
        }
        VrrpInstance.Builder builder = VrrpInstance.builder("VI_1")
                .interfaceName(o.interfaceName)
                .virtualRouterId(o.vrid)
                .priority(o.priority)
                .version(o.version)
                .advertInterval(Duration.ofMillis(o.advertMillis))
                .virtualAddress(o.vip)
                .transport(RawSocketTransport.factory());
        if (o.coordinatedPreemptionMillis > 0) {
            builder.coordinatedPreemption(Duration.ofMillis(o.coordinatedPreemptionMillis));
        }
        VrrpInstance instance;
        try {
            instance = builder.build();
        } catch (IllegalArgumentException e) {
            System.err.println("VrrpRouterMain: " + e.getMessage());
            System.exit(2);
            return;
        }
        instance.addListener(new VrrpListener() {
            @Override
            public void stateChanged(VrrpInstance i, VrrpState from, VrrpState to, String reason) {
                System.out.println("STATE " + from + " " + to + " " + Instant.now().toEpochMilli() + " " + reason);
                System.out.flush();
            }

            @Override
            public void onHandoverCompleted(VrrpInstance i, boolean newMasterHeard) {
                System.out.println("HANDOVER " + Instant.now().toEpochMilli() + " " + (newMasterHeard ? "heard" : "unheard"));
                System.out.flush();
            }
        });
        // SIGHUP would stop the JVM by default; here it is the harness's step-down command
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
            System.out.println("STEPDOWN " + Instant.now().toEpochMilli());
            System.out.flush();
            instance.stepDown(Duration.ofSeconds(STEP_DOWN_HOLD_SECONDS));
        });
        LinuxVipManager vips = LinuxVipManager.open();
        HaCluster cluster = HaCluster.builder().name("bench-" + o.priority).vipManager(vips).add(instance).build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            vips.close();
            System.out.println("STOPPED " + Instant.now().toEpochMilli() + " " + instance.counters());
            System.out.flush();
            stopped.countDown();
        }, "router-shutdown"));
        cluster.start();
        System.out.println("STARTED " + Instant.now().toEpochMilli() + " vrid " + o.vrid + " priority " + o.priority
                + " v" + o.version + " advert " + o.advertMillis + " ms on " + o.interfaceName);
        System.out.flush();
        if (o.gcThreads > 0) {
            startGcPressure(o.gcThreads, o.gcLiveMb);
        }
        stopped.await();
    }

    /** Threads that allocate without pause, keeping about {@code liveMb} MiB reachable in a churned table. */
    static void startGcPressure(int threads, int liveMb) {
        int slotsPerThread = Math.max(1, liveMb * 1024 / threads); // 1 KiB average per slot
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                Object[] live = new Object[slotsPerThread];
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (true) {
                    int size = 16 + random.nextInt(2032);
                    byte[] garbage = new byte[size];
                    garbage[size - 1] = 1;
                    live[random.nextInt(slotsPerThread)] = garbage; // replaces an old object: old-gen churn
                }
            }, "gc-pressure-" + t);
            th.setDaemon(true);
            th.start();
        }
        System.out.println("GC_PRESSURE " + threads + " thread(s), ~" + liveMb + " MiB live");
        System.out.flush();
    }
}
