package io.ha4j.vrrp;

import io.ha4j.core.Clock;
import io.ha4j.core.ComponentStats;
import io.ha4j.core.ComponentContext;
import io.ha4j.core.HaComponent;
import io.ha4j.core.HaEvent;
import io.ha4j.core.HealthChecker;
import io.ha4j.core.HealthListener;
import io.ha4j.core.LeaderElection;
import io.ha4j.core.Leadership;
import io.ha4j.core.LeadershipListener;
import io.ha4j.core.Phase;
import io.ha4j.core.ScheduledTask;
import io.ha4j.core.Scheduler;
import io.ha4j.core.StatsSource;
import io.ha4j.core.VipListener;
import io.ha4j.core.VipManager;
import io.ha4j.core.VirtualAddress;
import io.ha4j.core.internal.ComponentLifecycle;
import io.ha4j.core.internal.Listeners;
import io.ha4j.core.internal.RateLimitedLog;
import io.ha4j.core.internal.Validation;
import io.ha4j.netlink.ReceivedPacket;
import io.ha4j.vrrp.internal.VrrpPacket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VRRP virtual router (keepalived's {@code vrrp_instance}): elects a master among the routers of a
 * segment and holds the virtual addresses while it is master.
 *
 * <pre>{@code
 * VrrpInstance vip = VrrpInstance.builder("VI_1")
 *         .interfaceName("eth0")
 *         .virtualRouterId(51)
 *         .priority(150)
 *         .advertInterval(Duration.ofSeconds(1))
 *         .virtualAddress("198.18.0.100/32")
 *         .trackCheck(apiserverCheck, -60)        // priority 150 -> 90 while the apiserver is down
 *         .build();                               // raw sockets on eth0 (the default transport)
 * HaCluster.builder().add(apiserverCheck).add(vip).build().start();
 * }</pre>
 *
 * <p><b>Protocol.</b> VRRPv3 (RFC 5798 / 9568) by default, VRRPv2 (RFC 3768) with {@code version(2)}; keepalived's
 * timers, receive checks and transitions (see {@link VrrpStateMachine} and the package documentation). keepalived
 * defaults to version 2; ha4j defaults to 3 because it allows sub-second intervals and IPv6. To run beside
 * keepalived, set the same version on both sides.
 *
 * <p><b>Threads.</b> All protocol work runs on the cluster's {@link Scheduler} (one thread), serialised by a lock
 * shared with the members of a {@link VrrpSyncGroup}; packets received on a transport thread are copied into a
 * preallocated queue and handed over with one preallocated drain task ({@link io.ha4j.core.SystemScheduler#execute}
 * allocates nothing). Receive, hand-over, decode, state machine, encode and send allocate nothing per packet; arming
 * the timer allocates one small entry, which happens when it fires or has to move earlier (a state change, a
 * priority-0 advert), not per advert. Whatever arrives, what the instance sends
 * is bounded by its own timers (see {@code VrrpStateMachine}: at most one answer per advert interval). Listeners run on the scheduler thread unless given an executor ({@link VrrpListener} states the
 * contract).
 *
 * <p><b>Transport.</b> Unless {@link Builder#transport} says otherwise, adverts go over
 * {@link RawSocketTransport} (raw IP protocol 112 sockets on the interface, opened in the network namespace of the
 * thread that starts the instance; Linux with CAP_NET_RAW), as keepalived. Without that capability the start fails
 * with the socket's EPERM error; tests and hosts without root use {@link io.ha4j.vrrp.testing.SimulatedLan}.
 *
 * <p><b>Lifecycle</b> (ha4j's {@code ComponentLifecycle}). Start once (through {@link io.ha4j.core.HaCluster} or
 * {@link #start(ComponentContext)}); at start the configured VIPs still on the interface (left by a crashed run) are
 * removed first; a start that fails releases what it acquired and leaves the instance closed. {@link #close()} is
 * idempotent: a master sends a priority-0 advert and hands its VIPs over make-before-break (kept until the new master
 * is heard plus {@link Builder#handoverLinger}, or Master_Down_Interval passes; see {@link #stepDown}), then the
 * transport is closed. A crashed process cannot do that; the next start cleans up.
 *
 * <p><b>Runtime control.</b> {@link #stepDown}, {@link #endStepDown} and {@link #setPriority} let a host move
 * mastership on purpose (maintenance, a rolling upgrade) without a reload; {@link VrrpListener#onHandoverCompleted}
 * says when a planned move is complete. The timeline of every planned move is in ha-vrrp's README ("Planned
 * handover").
 *
 * <p><b>Tracking.</b> Effective priority = priority + the weights of tracked checks and interfaces (a positive
 * weight counts while up, a negative one while down, {@code reverse} swaps up and down), clamped to [1, 254];
 * priority 255 (address owner) never changes. A weight of 0 puts the instance in FAULT while the check or interface
 * is down. The instance's own interface is tracked with weight 0 (keepalived without {@code dont_track_primary}).
 * Interface state comes from the transport, on its own: {@link RawSocketTransport} follows rtnetlink link events
 * (up = {@code IFF_UP} and {@code IFF_RUNNING}, keepalived's test, so a lost carrier is down), and
 * {@link io.ha4j.vrrp.testing.SimulatedRouter#interfaceStateChanged} drives it on a simulated LAN. A master whose
 * interface goes down enters FAULT and releases its VIPs, as keepalived does.
 *
 * <p><b>Externally removed VIP.</b> When the VIP manager reports that one of our VIPs was removed by someone else
 * while MASTER, the instance leaves MASTER for BACKUP like keepalived (removing its other VIPs), without sending
 * priority 0; if no other router takes over, it becomes master again after Master_Down_Interval and adds the
 * addresses back.
 *
 * <p><b>Authentication.</b> {@link Builder#authPass(String)} is keepalived's {@code auth_type PASS}: an 8-byte
 * password sent in clear text in every advert (compared in constant time). It only keeps apart routers that were
 * configured differently; it is <em>no security</em>, anyone on the segment can read and forge it.
 *
 * <p><b>Where things are.</b> This class is the component: lifecycle, wiring and threads. The settings are the
 * immutable {@code VrrpConfig} that {@link Builder} produces; the protocol is {@code VrrpStateMachine}; "why was this
 * advert dropped?" is {@code ReceiveChecks}; effective priority and tracking faults are {@code Tracking}; the advert on
 * the wire is {@code AdvertSender}; the hand-over from the transport's thread is {@code RxQueue}. The file is about
 * twice ha4j's ~600-line guide: the public {@link Builder} (about 400 lines, one documented method per keepalived
 * option) is nested here, where users look for {@code VrrpInstance.builder(...)}, and the component keeps the one
 * place where the transport's thread, the scheduler thread and the host's calls (step-down, priority, the stats and
 * leadership views) meet the state machine, so that its threading can be read in one file.
 */
public final class VrrpInstance implements HaComponent, LeaderElection, StatsSource {

    private static final Logger LOG = LoggerFactory.getLogger(VrrpInstance.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int RX_QUEUE_SLOTS = 16;
    private static final Duration FOREVER = Duration.ofDays(100);
    /** Beyond Master_Down_Interval, how long close() waits for the scheduler to run the release it is due. */
    private static final long HANDOVER_WAIT_MARGIN_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final VrrpConfig config;
    private final String name;
    private final ComponentLifecycle lifecycle;
    private final VrrpCounters counters = new VrrpCounters();
    private final Listeners<VrrpListener> listeners = new Listeners<>();
    private final Tracking tracking;
    private final ReceiveChecks checks;
    private final AdvertSender sender;
    private final RxQueue rxQueue;
    private final String[] dropLogKeys = new String[DropReason.values().length];
    private final String answerLogKey;
    private final Runnable timerTask = this::onTimer;
    private final Runnable drainTask = this::drainQueue;
    private final VipListener vipListener = this::onVipRemoved;
    private final HealthListener healthListener = (checker, status, cause) -> onTrackingChanged();

    /** Guards all protocol state; a sync group replaces it with one shared by its members before start. */
    private Object lock = new Object();
    private VrrpSyncGroup syncGroup;
    private VrrpStateMachine machine;
    private volatile VrrpState state = VrrpState.INITIALIZE;
    private ComponentContext context;
    private Scheduler scheduler;
    private Clock clock;
    private VipManager vipManager;
    private VrrpTransport transport;
    private InetAddress sourceAddress;
    private RateLimitedLog rateLimitedLog;
    private ScheduledTask timer;
    private long timerDeadline = VrrpStateMachine.NONE;
    /** Set once the protocol is off for good: the end of {@link #close()}'s handover, not its start. */
    private volatile boolean protocolStopped;
    /** {@link VrrpActions#vipsLeaving} told the VIP manager's listeners already (lock held). */
    private boolean leavingAnnounced;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final VrrpLeadership leadership = new VrrpLeadership(() -> clock);
    /** The source of the last advert accepted while BACKUP (keepalived's master_ipaddr); copied, not allocated. */
    private final byte[] masterAddress = new byte[16];
    private int masterAddressLength;
    private final VrrpTransitions transitions = new VrrpTransitions();

    private VrrpInstance(VrrpConfig config) {
        this.config = config;
        this.name = config.name();
        this.lifecycle = new ComponentLifecycle("VRRP instance '" + name + "'");
        this.tracking = new Tracking(config);
        this.checks = new ReceiveChecks(config);
        this.sender = new AdvertSender(config, counters);
        this.rxQueue = new RxQueue(RX_QUEUE_SLOTS, counters);
        for (DropReason reason : DropReason.values()) {
            dropLogKeys[reason.ordinal()] = name + ":" + reason.name();
        }
        this.answerLogKey = name + ":answers";
        listeners.add(leadership);
    }

    /** A builder for an instance called {@code name} (keepalived's {@code vrrp_instance NAME}). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    @Override
    public String name() {
        return name;
    }

    /** {@link Phase#VRRP}: after health checks and balancers, stopped first. */
    @Override
    public Phase phase() {
        return Phase.VRRP;
    }

    /**
     * Starts without a cluster, on a scheduler thread of its own ({@code <name>-timer}) and the builder's
     * {@link Builder#vipManager VIP manager}; {@link #close()} stops that thread. A failed start releases everything
     * it acquired.
     *
     * @throws IllegalStateException when started twice or closed, or without a VIP manager
     * @throws IOException when the transport cannot be opened
     */
    public void start() throws IOException {
        lifecycle.start(() -> startOn(lifecycle.acquired(ComponentContext.standalone(name))));
    }

    /**
     * Starts the instance on the context's scheduler and VIP manager (or the builder's): removes leftover VIPs,
     * opens the transport and enters BACKUP (or MASTER at once for priority 255, or FAULT if a weight-0 tracker
     * is down). Called once; a failed start releases everything it acquired (transport, listeners) and leaves the
     * instance closed.
     *
     * @throws IllegalStateException when started twice or closed, or without a VIP manager
     * @throws IOException when the transport cannot be opened
     */
    @Override
    public void start(ComponentContext context) throws IOException {
        Objects.requireNonNull(context, "context");
        lifecycle.start(() -> startOn(context));
    }

    private void startOn(ComponentContext context) throws IOException {
        VipManager vm = context.vipManager().orElse(config.vipManager());
        if (vm == null) {
            throw new IllegalStateException("VRRP instance '" + name
                    + "' has no VIP manager: configure one on the cluster or set Builder.vipManager(...)");
        }
        this.context = context;
        this.scheduler = context.scheduler();
        this.clock = scheduler.clock();
        this.vipManager = vm;
        this.rateLimitedLog = new RateLimitedLog(LOG, clock, LOG_INTERVAL_NANOS);
        int leftovers = vm.cleanUp(config.virtualAddresses());
        if (leftovers > 0) {
            LOG.warn("VRRP instance '{}': removed {} VIP(s) left behind by a previous run", name, leftovers);
        }
        TransportSpec spec = new TransportSpec(name, config.interfaceName(), config.virtualRouterId(), config.ipv6(),
                config.unicastSource(), config.unicastPeers(), tracking.watchedInterfaces());
        transport = lifecycle.acquired(config.transportFactory().create(spec));
        synchronized (lock) {
            machine = new VrrpStateMachine(new Actions(), config);
        }
        lifecycle.acquired(this::stopProtocol);
        transport.start(new VrrpTransport.Receiver() {
            @Override
            public void onPacket(ByteBuffer payload, ReceivedPacket metadata) {
                VrrpInstance.this.onPacket(payload, metadata);
            }

            @Override
            public void interfaceStateChanged(String name, boolean up) {
                VrrpInstance.this.interfaceStateChanged(name, up);
            }
        });
        InetAddress source = Objects.requireNonNull(transport.sourceAddress(), "transport.sourceAddress()");
        if ((source instanceof Inet6Address) != config.ipv6()) {
            throw new IllegalStateException("transport source " + source.getHostAddress() + " is not of the instance's family");
        }
        sourceAddress = source;
        sender.connect(transport, source, rateLimitedLog);
        vm.addListener(vipListener, scheduler);
        lifecycle.acquired(() -> vm.removeListener(vipListener));
        for (Tracking.TrackedCheck t : config.trackedChecks()) {
            t.checker().addListener(healthListener, scheduler);
            lifecycle.acquired(() -> t.checker().removeListener(healthListener));
        }
        synchronized (lock) {
            machine.primaryAddress(sender.sourceBytes(), config.addressLength());
            tracking.apply(machine, clock.nanoTime());
            machine.start(clock.nanoTime());
            rearm();
        }
    }

    /**
     * Stops: a master sends priority 0 and keeps its VIPs until it hears the new master (plus
     * {@link Builder#handoverLinger}) or Master_Down_Interval passes, then removes them; listeners get
     * {@link VrrpListener#onHandoverCompleted} and {@link VrrpListener#onStopped}; the transport is closed. Blocks for
     * that handover, at most Master_Down_Interval + the linger + 0.5 s; called on the scheduler thread (from a
     * listener) or with a clock that only a test moves, it stops at once instead (priority 0 and the VIPs removed, as
     * keepalived). Idempotent, callable from any thread.
     */
    @Override
    public void close() {
        lifecycle.close();
    }

    /**
     * Released by the lifecycle before the transport. A master hands over make-before-break: priority 0 at once, the
     * VIPs kept (transport and timers still running) until the new master is heard or Master_Down_Interval passes,
     * then removed. That needs a clock that moves on its own while this thread waits, and a thread other than the
     * scheduler's; otherwise (a {@code ManualScheduler} in tests, {@code close()} from a listener) the stop is at once:
     * priority 0 and the VIPs removed, as keepalived does.
     */
    private void stopProtocol() {
        long waitNs = 0;
        if (clock == Clock.system() && !scheduler.inSchedulerThread()) {
            synchronized (lock) {
                machine.beginShutdown("closed", clock.nanoTime());
                if (machine.state() != VrrpState.STOP) {
                    waitNs = machine.masterDownIntervalNs() + config.handoverLinger().toNanos() + HANDOVER_WAIT_MARGIN_NS;
                    rearm();
                }
            }
        }
        if (waitNs > 0) {
            try {
                stopped.await(waitNs, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stop at once below
            }
        }
        synchronized (lock) {
            protocolStopped = true;
            machine.shutdown("closed", clock.nanoTime());
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
        }
    }

    // --------------------------------------------------------------------------------------- public view

    /**
     * The stats SPI's view: state, base and effective priority, the master's address (ours when MASTER, the last
     * advert's source when BACKUP), advert and Master_Down intervals, the counters with drops by reason, and the
     * last {@value VrrpTransitions#KEPT} transitions with their age; the fields of keepalived's JSON dump and SNMP
     * {@code vrrpInstanceTable}/{@code vrrpStatisticsTable} under Prometheus names (see {@link VrrpStatsFormat}).
     */
    @Override
    public ComponentStats componentStats() {
        synchronized (lock) {
            long now = clock == null ? 0 : clock.nanoTime();
            String master = "";
            if (state == VrrpState.MASTER && sourceAddress != null) {
                master = sourceAddress.getHostAddress();
            } else if (state == VrrpState.BACKUP && masterAddressLength > 0) {
                master = VrrpStatsFormat.address(masterAddress, masterAddressLength);
            }
            return VrrpStatsFormat.componentStats(this, state, effectivePriority(), master, masterDownInterval(),
                    transitions.snapshot(now));
        }
    }

    public VrrpState state() {
        return state;
    }

    /** Whether this node holds the virtual addresses now (see {@link VrrpListener} for the race contract). */
    public boolean isMaster() {
        return state == VrrpState.MASTER;
    }

    public VrrpCounters counters() {
        return counters;
    }

    public int virtualRouterId() {
        return config.virtualRouterId();
    }

    /** The base priority: the configured one (keepalived's {@code priority}) or the last {@link #setPriority}. */
    public int priority() {
        return tracking.basePriority();
    }

    /** The priority after tracking weights; the configured one before start. */
    public int effectivePriority() {
        synchronized (lock) {
            return machine == null ? config.priority() : machine.effectivePriority();
        }
    }

    /**
     * Hands mastership over on purpose (maintenance, a rolling upgrade), make-before-break: a master sends a
     * priority-0 advert at once, so that the best backup (ha4j, keepalived or FRR) takes over after its Skew_Time, and
     * becomes BACKUP, but keeps its VIPs and keeps answering for them until it hears the new master; then it removes
     * them and {@link VrrpListener#onHandoverCompleted} says so. If no other router takes over within
     * Master_Down_Interval it becomes master again (the VIPs are never left unserved) and the listeners get
     * {@code onMaster}.
     *
     * <p>For {@code hold} afterwards this router does not preempt the new master whatever its priority (keepalived
     * would need {@code nopreempt} and a reload); it still takes over when the master disappears. {@link Duration#ZERO}:
     * no hold (a higher-priority router preempts back after Master_Down_Interval); a negative or very long
     * ({@code >= 100 days}) hold lasts until {@link #endStepDown()}. A backup told to step down only gets the hold.
     *
     * <p>Callable from any thread; returns at once, the work runs on the scheduler thread, listeners as usual.
     *
     * @throws IllegalStateException when the instance is not started or is closed
     */
    public void stepDown(Duration hold) {
        Objects.requireNonNull(hold, "hold");
        long holdNs = hold.isNegative() || hold.compareTo(FOREVER) >= 0 ? Long.MAX_VALUE : hold.toNanos();
        onScheduler("stepDown", () -> machine.stepDown("step-down", holdNs, clock.nanoTime()));
    }

    /** Ends a {@link #stepDown} hold now: from the next advert this router preempts as configured. Any thread. */
    public void endStepDown() {
        onScheduler("endStepDown", () -> machine.endStepDown());
    }

    /**
     * Changes the base priority at runtime (keepalived needs a reload): in [1, 254]; the effective priority is
     * recomputed with the tracking weights at once. A master's next advert carries it, so a backup with a higher
     * priority and {@code preempt} takes over (make-before-break on both sides); a backup raised above the master
     * preempts within Master_Down_Interval. An address owner (configured priority 255) cannot change.
     *
     * <p>Callable from any thread; {@link #priority()} reflects the new value at once, the election on the scheduler
     * thread.
     *
     * @throws IllegalArgumentException when {@code priority} is out of [1, 254]
     * @throws IllegalStateException for an address owner, or when the instance is closed
     */
    public void setPriority(int priority) {
        Validation.inRange("priority", priority, 1, 254);
        if (config.priority() == 255) {
            throw new IllegalStateException("VRRP instance '" + name + "' is the address owner (priority 255); its"
                    + " priority cannot change");
        }
        if (lifecycle.isClosed()) {
            throw new IllegalStateException("VRRP instance '" + name + "' is closed");
        }
        tracking.basePriority(priority);
        onTrackingChanged();
    }

    private void onScheduler(String what, Runnable work) {
        if (lifecycle.state() != ComponentLifecycle.State.STARTED || scheduler == null) {
            throw new IllegalStateException("VRRP instance '" + name + "' is not running; " + what + " needs a started instance");
        }
        scheduler.execute(() -> {
            synchronized (lock) {
                if (protocolStopped || machine == null) {
                    return;
                }
                work.run();
                if (syncGroup != null) {
                    syncGroup.faultsChanged(clock.nanoTime());
                } else {
                    rearm();
                }
            }
        });
    }

    public int version() {
        return config.version();
    }

    public Duration advertInterval() {
        return config.advertInterval();
    }

    /** The current Master_Down_Interval (with the master's advert interval for a v3 backup). */
    public Duration masterDownInterval() {
        synchronized (lock) {
            if (machine != null) {
                return Duration.ofNanos(machine.masterDownIntervalNs());
            }
        }
        return Duration.ofNanos(VrrpStateMachine.masterDownIntervalNs(config.version(), config.priority(),
                config.advertIntervalCs()));
    }

    /** The {@code virtual_ipaddress} list in configuration order (the order of the advert's address list). */
    public List<VirtualAddress> virtualAddresses() {
        return config.virtualAddresses();
    }

    public String interfaceName() {
        return config.interfaceName();
    }

    /** The address adverts come from (this router's identity in elections); null before start. */
    public InetAddress sourceAddress() {
        return sourceAddress;
    }

    public boolean isIpv6() {
        return config.ipv6();
    }

    /** Adds a listener called on the scheduler thread. */
    public void addListener(VrrpListener listener) {
        listeners.add(listener);
    }

    /** Adds a listener called through {@code executor} (use a single-threaded one to keep the order). */
    public void addListener(VrrpListener listener, Executor executor) {
        listeners.add(listener, executor);
    }

    public void removeListener(VrrpListener listener) {
        listeners.remove(listener);
    }

    // ------------------------------------------------------------------------------ LeaderElection (MASTER)

    /**
     * The current MASTER term: its token counts this instance's transitions to MASTER (1, 2, ...), its start is on
     * the scheduler's clock. Leadership listeners run on the scheduler thread, the last {@code notLeader} on the
     * thread that closes the instance.
     */
    @Override
    public Optional<Leadership> leadership() {
        return leadership.leadership();
    }

    @Override
    public Optional<Leadership> awaitLeadership(Duration timeout) throws InterruptedException {
        return leadership.await(timeout);
    }

    @Override
    public void addLeadershipListener(LeadershipListener listener) {
        leadership.addListener(listener, Runnable::run);
    }

    @Override
    public void addLeadershipListener(LeadershipListener listener, Executor executor) {
        leadership.addListener(listener, executor);
    }

    @Override
    public void removeLeadershipListener(LeadershipListener listener) {
        leadership.removeListener(listener);
    }

    /**
     * A link state of a tracked interface (or the instance's own), as the transport reports it through
     * {@link VrrpTransport.Receiver#interfaceStateChanged}: recorded at once (so a state reported while the
     * transport starts counts from the first election), applied on the scheduler thread.
     */
    void interfaceStateChanged(String interfaceName, boolean up) {
        Objects.requireNonNull(interfaceName, "interfaceName");
        if (tracking.interfaceStateChanged(interfaceName, up)) {
            onTrackingChanged();
        }
    }

    @Override
    public String toString() {
        return "VrrpInstance[" + name + ", vrid " + config.virtualRouterId() + ", " + state + ", prio "
                + effectivePriority() + "]";
    }

    // ------------------------------------------------------------------------------------------ sync group

    void joinSyncGroup(VrrpSyncGroup group, Object sharedLock) {
        if (lifecycle.state() != ComponentLifecycle.State.LATENT) {
            throw new IllegalStateException("VRRP instance '" + name + "' must join a sync group before it starts");
        }
        if (syncGroup != null) {
            throw new IllegalStateException("VRRP instance '" + name + "' is already in sync group '" + syncGroup.name() + "'");
        }
        this.syncGroup = group;
        this.lock = sharedLock;
    }

    /** Called by the sync group with the shared lock held. */
    VrrpStateMachine machine() {
        return machine;
    }

    /** Called by the sync group with the shared lock held, after it drove this machine. */
    void rearm() {
        if (protocolStopped || machine == null) {
            return;
        }
        long next = machine.nextDeadline();
        if (next == VrrpStateMachine.NONE) {
            if (timer != null) {
                timer.cancel();
                timer = null;
                timerDeadline = VrrpStateMachine.NONE;
            }
            return;
        }
        if (timer != null && timerDeadline <= next) {
            return; // an earlier wake-up is pending; it will re-arm for the later deadline
        }
        if (timer != null) {
            timer.cancel();
        }
        timerDeadline = next;
        timer = scheduler.schedule(timerTask, next - clock.nanoTime());
    }

    long now() {
        return clock.nanoTime();
    }

    boolean hasOwnFault() {
        return machine != null && machine.hasFault(VrrpStateMachine.FAULT_TRACKING);
    }

    // ------------------------------------------------------------------------------------------- internals

    private void onTimer() {
        synchronized (lock) {
            timer = null;
            timerDeadline = VrrpStateMachine.NONE;
            if (protocolStopped) {
                return;
            }
            machine.doWork(clock.nanoTime());
            rearm();
        }
    }

    private void onTrackingChanged() {
        if (scheduler == null) {
            return;
        }
        if (!scheduler.inSchedulerThread()) {
            scheduler.execute(this::onTrackingChanged);
            return;
        }
        synchronized (lock) {
            if (protocolStopped) {
                return;
            }
            tracking.apply(machine, clock.nanoTime());
            if (syncGroup != null) {
                syncGroup.faultsChanged(clock.nanoTime());
            } else {
                rearm();
            }
        }
    }

    private void onVipRemoved(VirtualAddress address) {
        if (!config.virtualAddresses().contains(address)) {
            return;
        }
        synchronized (lock) {
            if (protocolStopped || machine == null || machine.state() != VrrpState.MASTER) {
                return;
            }
            LOG.warn("VRRP instance '{}': VIP {} was removed by someone else while MASTER; leaving MASTER", name, address);
            machine.vipRemovedExternally("VIP " + address.cidr() + " removed externally", clock.nanoTime());
            rearm();
        }
    }

    // ------------------------------------------------------------------------------------------- receive

    private void onPacket(ByteBuffer payload, ReceivedPacket metadata) {
        if (scheduler.inSchedulerThread()) {
            synchronized (lock) {
                if (protocolStopped) {
                    return;
                }
                receive(payload, payload.position(), payload.remaining(), metadata);
                rearm();
            }
        } else if (rxQueue.offer(payload, metadata)) {
            scheduler.execute(drainTask);
        }
    }

    private void drainQueue() {
        synchronized (lock) {
            RxQueue.Slot slot;
            while ((slot = rxQueue.peek()) != null) {
                if (!protocolStopped) {
                    receive(slot.buffer, 0, slot.length, slot.metadata);
                }
                rxQueue.release();
            }
            rearm();
        }
    }

    /** Checks one packet and feeds it to the state machine (lock held). Never throws on bad input. */
    void receive(ByteBuffer b, int off, int len, ReceivedPacket m) {
        DropReason reason = checks.check(b, off, len, m, machine.state());
        if (reason != null) {
            counters.drop(reason);
            if (reason != DropReason.OTHER_VRID) {
                rateLimitedLog.warn(dropLogKeys[reason.ordinal()], "VRRP instance '{}': dropped packet from {}: {}", name,
                        ReceivedPacket.format(m.sourceBytes(), m.sourceLength()), reason);
            }
            return;
        }
        int advertPriority = VrrpPacket.priority(b, off);
        counters.received(advertPriority);
        if (!checks.addressListMatches(b, off)) {
            counters.countAddressListMismatch();
            rateLimitedLog.warn(name + ":addresses", "VRRP instance '{}': advert from {} lists other addresses than ours"
                    + " (VRID collision or different configuration)", name, ReceivedPacket.format(m.sourceBytes(), m.sourceLength()));
        }
        int version = config.version();
        int intervalCs = version == 2 ? VrrpPacket.interval(b, off, 2) * 100 : VrrpPacket.interval(b, off, 3);
        machine.onAdvert(advertPriority, intervalCs, m.sourceBytes(), m.sourceLength(), clock.nanoTime());
        if (advertPriority > 0 && machine.state() == VrrpState.BACKUP) {
            masterAddressLength = Math.min(m.sourceLength(), masterAddress.length);
            System.arraycopy(m.sourceBytes(), 0, masterAddress, 0, masterAddressLength);
        }
    }

    /** The state machine's outputs, applied to the transport, the VIP manager and the listeners (lock held). */
    private final class Actions implements VrrpActions {

        @Override
        public void sendAdvert(int advertPriority) {
            sender.send(advertPriority);
        }

        @Override
        public void addVips() {
            leavingAnnounced = false; // mastership taken back during a handover: a later removal is told again
            for (VirtualAddress vip : config.virtualAddresses()) {
                try {
                    vipManager.add(vip);
                } catch (IOException | RuntimeException e) {
                    LOG.error("VRRP instance '{}': adding VIP {} failed", name, vip, e);
                }
            }
        }

        @Override
        public void vipsLeaving() {
            leavingAnnounced = true;
            for (VirtualAddress vip : config.virtualAddresses()) {
                vipManager.releasing(vip);
            }
        }

        @Override
        public void removeVips() {
            if (!leavingAnnounced) {
                vipsLeaving(); // leaving without a choice: tell the balancer all the same, just before
            }
            leavingAnnounced = false;
            for (VirtualAddress vip : config.virtualAddresses()) {
                try {
                    vipManager.remove(vip);
                } catch (IOException | RuntimeException e) {
                    LOG.error("VRRP instance '{}': removing VIP {} failed", name, vip, e);
                }
            }
        }

        @Override
        public void announce(int repeat) {
            for (int r = 0; r < repeat; r++) {
                for (VirtualAddress vip : config.virtualAddresses()) {
                    try {
                        vipManager.announce(vip);
                    } catch (IOException | RuntimeException e) {
                        rateLimitedLog.warn(name + ":announce", "VRRP instance '{}': announcing {} failed: {}", name, vip,
                                e.toString());
                    }
                }
            }
        }

        @Override
        public void vipsReleased(boolean newMasterHeard) {
            counters.countHandover(newMasterHeard);
            LOG.info("VRRP instance '{}': handover complete, VIPs released ({})", name,
                    newMasterHeard ? "the new master was heard" : "no new master heard");
            String current = state.name();
            context.publish(new HaEvent(HaEvent.Kind.HANDOVER_COMPLETED, name, current, current,
                    newMasterHeard ? "VIPs released, the new master was heard" : "VIPs released, no new master heard",
                    clock.nanoTime()));
            listeners.forEach(l -> l.onHandoverCompleted(VrrpInstance.this, newMasterHeard));
        }

        @Override
        public void answerSuppressed(int priority) {
            counters.countAnswerSuppressed();
            rateLimitedLog.warn(answerLogKey, "VRRP instance '{}': not answering more than one lower-priority or"
                    + " priority-0 advert per advert interval (a flood or a misconfigured peer on the segment?)", name);
        }

        @Override
        public void stateChanged(VrrpState from, VrrpState to, String reason) {
            state = to;
            transitions.add(from, to, reason, clock.nanoTime());
            if (to != VrrpState.BACKUP) {
                masterAddressLength = 0;
            }
            if (to == VrrpState.MASTER) {
                counters.countBecameMaster();
            } else if (from == VrrpState.MASTER) {
                counters.countReleasedMaster();
            }
            LOG.info("VRRP instance '{}' (vrid {}, prio {}): {} -> {} ({})", name, config.virtualRouterId(),
                    machine.effectivePriority(), from, to, reason);
            long now = clock.nanoTime();
            context.publish(new HaEvent(name, from.name(), to.name(), reason, now));
            listeners.forEach(l -> l.stateChanged(VrrpInstance.this, from, to, reason));
            if (syncGroup != null) {
                syncGroup.memberChanged(VrrpInstance.this, from, to, reason, now);
            }
            if (to == VrrpState.STOP) {
                stopped.countDown();
            }
        }
    }

    // --------------------------------------------------------------------------------------------- builder

    /**
     * Builds a {@link VrrpInstance}. Options carry keepalived's names in their Javadoc and its defaults. The rules of
     * every ha4j builder: a single-valued option is set at most once (a second call throws
     * {@link IllegalStateException}); a value out of range throws {@link IllegalArgumentException} naming the option
     * and its range at once; a required option that was never set ({@link #interfaceName}, {@link #virtualRouterId})
     * throws {@link IllegalStateException} naming it at {@link #build()}; combinations are checked at
     * {@link #build()}. List options ({@link #virtualAddress(String)} and {@link #virtualAddress(VirtualAddress)},
     * {@link #unicastPeer}) keep call order across both forms.
     */
    public static final class Builder {
        private static final Duration MAX_PREEMPT_DELAY = Duration.ofSeconds(1000);
        private static final Duration DEFAULT_HANDOVER_LINGER = Duration.ofNanos(VrrpStateMachine.DEFAULT_HANDOVER_LINGER_NS);

        private final String name;
        private String interfaceName;
        private Integer virtualRouterIdOpt;
        private Integer priorityOpt;
        private Integer versionOpt;
        private Duration advertIntervalOpt;
        private VrrpState initialStateOpt;
        private Boolean preemptOpt;
        private Duration preemptDelayOpt;
        private String authPass;
        private ChecksumMode checksumModeOpt;
        /** Both {@code virtualAddress} forms, in call order (the advert's address list is compared in this order). */
        private final List<Function<String, VirtualAddress>> vipEntries = new ArrayList<>();
        private InetAddress unicastSource;
        private final List<InetAddress> unicastPeers = new ArrayList<>();
        private Integer garpMasterRepeatOpt;
        private Duration garpMasterDelayOpt;
        private Duration garpMasterRefreshOpt;
        private Integer garpMasterRefreshRepeatOpt;
        private Boolean lowerPrioNoAdvertOpt;
        private final List<Tracking.TrackedCheck> trackedChecks = new ArrayList<>();
        private final List<Tracking.TrackedInterface> trackedInterfaces = new ArrayList<>();
        private VrrpTransport.Factory transportFactory;
        private VipManager vipManager;
        private Duration handoverLingerOpt;
        private Duration coordinatedPreemptionOpt;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
        }

        /** {@code interface}: where adverts go and VIPs are added. Required. */
        public Builder interfaceName(String interfaceName) {
            Validation.setOnce("interfaceName", this.interfaceName);
            Validation.notNull("interfaceName", interfaceName);
            if (interfaceName.isEmpty() || interfaceName.length() > 15) {
                throw new IllegalArgumentException("interfaceName must be 1-15 characters, was '" + interfaceName + "'");
            }
            this.interfaceName = interfaceName;
            return this;
        }

        /** {@code virtual_router_id}, in [1, 255]. Required. */
        public Builder virtualRouterId(int vrid) {
            Validation.setOnce("virtualRouterId", this.virtualRouterIdOpt);
            this.virtualRouterIdOpt = Validation.inRange("virtualRouterId", vrid, 1, 255);
            return this;
        }

        /** {@code priority}, in [1, 255]; default 100. 255 makes this router the address owner (instant master). */
        public Builder priority(int priority) {
            Validation.setOnce("priority", this.priorityOpt);
            this.priorityOpt = Validation.inRange("priority", priority, 1, 255);
            return this;
        }

        /** {@code version}, 2 or 3; default 3 (keepalived's default is 2, see the class documentation). */
        public Builder version(int version) {
            Validation.setOnce("version", this.versionOpt);
            this.versionOpt = Validation.inRange("version", version, 2, 3);
            return this;
        }

        /**
         * {@code advert_int}; default 1 s. Version 2: whole seconds in [1s, 255s]; version 3: a multiple of 10 ms in
         * [10ms, 40.95s] (checked at {@link #build()}, when the version is known).
         */
        public Builder advertInterval(Duration interval) {
            Validation.setOnce("advertInterval", this.advertIntervalOpt);
            this.advertIntervalOpt = Validation.notNull("advertInterval", interval);
            return this;
        }

        /**
         * {@code state}: {@link VrrpState#MASTER} or {@link VrrpState#BACKUP} (default). Only a hint, as in
         * keepalived: below priority 255 a MASTER hint takes over after one advert interval plus the smallest skew
         * instead of a full Master_Down_Interval; with {@code nopreempt} the hint is ignored (keepalived starts such
         * an instance as BACKUP too).
         */
        public Builder initialState(VrrpState state) {
            Validation.setOnce("initialState", this.initialStateOpt);
            Validation.notNull("initialState", state);
            if (state != VrrpState.MASTER && state != VrrpState.BACKUP) {
                throw new IllegalArgumentException("initialState must be MASTER or BACKUP, was " + state);
            }
            this.initialStateOpt = state;
            return this;
        }

        /**
         * {@code preempt} (default true) / {@code nopreempt}: whether a higher-priority backup takes over from a
         * lower-priority master. A master still always yields to a higher-priority advert.
         */
        public Builder preempt(boolean preempt) {
            Validation.setOnce("preempt", this.preemptOpt);
            this.preemptOpt = preempt;
            return this;
        }

        /** {@code nopreempt}; same as {@code preempt(false)}. */
        public Builder nopreempt() {
            return preempt(false);
        }

        /**
         * {@code preempt_delay}, in [0s, 1000s]; default 0. A backup that sees a lower-priority master keeps accepting
         * its adverts this long before preempting.
         */
        public Builder preemptDelay(Duration delay) {
            Validation.setOnce("preemptDelay", this.preemptDelayOpt);
            this.preemptDelayOpt = Validation.inRange("preemptDelay", delay, Duration.ZERO, MAX_PREEMPT_DELAY);
            return this;
        }

        /**
         * {@code authentication { auth_type PASS; auth_pass ... }}, version 2 only, 1-8 ASCII characters. Clear text
         * on the wire: it is no security (see the class documentation).
         */
        public Builder authPass(String password) {
            Validation.setOnce("authPass", this.authPass);
            Validation.notNull("authPass", password);
            if (password.isEmpty() || password.length() > 8 || !password.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("authPass must be 1-8 printable ASCII characters, was "
                        + password.length() + " characters");
            }
            this.authPass = password;
            return this;
        }

        /**
         * VRRPv3 over IPv4 checksum convention to send; default {@link ChecksumMode#WITH_PSEUDO_HEADER}
         * (keepalived's default; {@link ChecksumMode#MESSAGE_ONLY} is its {@code v3_checksum_as_v2}). Both are
         * accepted on receive.
         */
        public Builder checksumMode(ChecksumMode mode) {
            Validation.setOnce("checksumMode", this.checksumModeOpt);
            this.checksumModeOpt = Validation.notNull("checksumMode", mode);
            return this;
        }

        /** One {@code virtual_ipaddress} entry ({@code 198.18.0.100}, {@code 198.18.0.100/24}, {@code fd00::100/64}) on the instance's interface. */
        public Builder virtualAddress(String cidr) {
            Validation.notNull("virtualAddress", cidr);
            vipEntries.add(defaultInterface -> VirtualAddress.parse(cidr, defaultInterface));
            return this;
        }

        /** One {@code virtual_ipaddress} entry, possibly on another interface ({@code dev}). */
        public Builder virtualAddress(VirtualAddress vip) {
            Validation.notNull("virtualAddress", vip);
            vipEntries.add(defaultInterface -> vip);
            return this;
        }

        /** {@code unicast_src_ip}: the source address of adverts (default: the interface's primary address). */
        public Builder unicastSource(String address) {
            Validation.setOnce("unicastSource", this.unicastSource);
            this.unicastSource = VirtualAddress.parseLiteral(Validation.notNull("unicastSource", address));
            return this;
        }

        /** One {@code unicast_peer}; with peers, adverts go to each of them instead of the multicast group. */
        public Builder unicastPeer(String address) {
            InetAddress peer = VirtualAddress.parseLiteral(Validation.notNull("unicastPeer", address));
            if (unicastPeers.contains(peer)) {
                throw new IllegalArgumentException("unicastPeer " + address + " is listed twice");
            }
            unicastPeers.add(peer);
            return this;
        }

        /** {@code garp_master_repeat}: announcements per VIP in each burst, in [1, 255]; default 5. */
        public Builder garpMasterRepeat(int repeat) {
            Validation.setOnce("garpMasterRepeat", this.garpMasterRepeatOpt);
            this.garpMasterRepeatOpt = Validation.inRange("garpMasterRepeat", repeat, 1, 255);
            return this;
        }

        /** {@code garp_master_delay}: when the second burst follows becoming master, in [0s, 1000s] (0: none); default 5 s. */
        public Builder garpMasterDelay(Duration delay) {
            Validation.setOnce("garpMasterDelay", this.garpMasterDelayOpt);
            this.garpMasterDelayOpt = Validation.inRange("garpMasterDelay", delay, Duration.ZERO, Duration.ofSeconds(1000));
            return this;
        }

        /** {@code garp_master_refresh}: repeat announcements this often while master, in [0s, 1h] (0: off, the default). */
        public Builder garpMasterRefresh(Duration interval) {
            Validation.setOnce("garpMasterRefresh", this.garpMasterRefreshOpt);
            Validation.inRange("garpMasterRefresh", interval, Duration.ZERO, Duration.ofHours(1));
            if (!interval.isZero() && interval.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("garpMasterRefresh must be 0 or at least 10ms, was " + Validation.format(interval));
            }
            this.garpMasterRefreshOpt = interval;
            return this;
        }

        /** {@code garp_master_refresh_repeat}: announcements per VIP at each refresh, in [1, 255]; default 1. */
        public Builder garpMasterRefreshRepeat(int repeat) {
            Validation.setOnce("garpMasterRefreshRepeat", this.garpMasterRefreshRepeatOpt);
            this.garpMasterRefreshRepeatOpt = Validation.inRange("garpMasterRefreshRepeat", repeat, 1, 255);
            return this;
        }

        /**
         * {@code lower_prio_no_advert}: a master that hears a lower-priority master does not answer at once (pre-RFC
         * 9568 behaviour). Default false: answer at once, as keepalived and RFC 9568.
         */
        public Builder lowerPrioNoAdvert(boolean noAdvert) {
            Validation.setOnce("lowerPrioNoAdvert", this.lowerPrioNoAdvertOpt);
            this.lowerPrioNoAdvertOpt = noAdvert;
            return this;
        }

        /** {@code track_script NAME weight W}: see {@link #trackCheck(HealthChecker, int, boolean)}. */
        public Builder trackCheck(HealthChecker checker, int weight) {
            return trackCheck(checker, weight, false);
        }

        /**
         * {@code track_script NAME weight W [reverse]}: weight in [-253, 253]; a positive weight is added while the
         * check is UP, a negative one while it is DOWN, 0 means FAULT while DOWN; {@code reverse} swaps UP and DOWN.
         * The checker must be started separately (add it to the same cluster).
         */
        public Builder trackCheck(HealthChecker checker, int weight, boolean reverse) {
            Validation.notNull("trackCheck", checker);
            Validation.inRange("trackCheck weight", weight, -253, 253);
            for (Tracking.TrackedCheck t : trackedChecks) {
                if (t.checker() == checker) {
                    throw new IllegalArgumentException("trackCheck '" + checker.name() + "' is listed twice");
                }
            }
            trackedChecks.add(new Tracking.TrackedCheck(checker, weight, reverse));
            return this;
        }

        /** {@code track_interface NAME weight W}: see {@link #trackInterface(String, int, boolean)}. */
        public Builder trackInterface(String interfaceName, int weight) {
            return trackInterface(interfaceName, weight, false);
        }

        /**
         * {@code track_interface NAME weight W [reverse]}: weight in [-253, 253] with the same meaning as for checks.
         * The transport reports link state (see the class documentation); interfaces count as up until it says
         * otherwise.
         */
        public Builder trackInterface(String interfaceName, int weight, boolean reverse) {
            Validation.notNull("trackInterface", interfaceName);
            Validation.inRange("trackInterface weight", weight, -253, 253);
            for (Tracking.TrackedInterface t : trackedInterfaces) {
                if (t.name().equals(interfaceName)) {
                    throw new IllegalArgumentException("trackInterface " + interfaceName + " is listed twice");
                }
            }
            trackedInterfaces.add(new Tracking.TrackedInterface(interfaceName, weight, reverse));
            return this;
        }

        /**
         * How adverts are sent and received. Default: {@link RawSocketTransport#factory()}, raw IP sockets on the
         * interface (Linux, CAP_NET_RAW), as keepalived; tests and users without root give
         * {@link io.ha4j.vrrp.testing.SimulatedLan}'s factory instead.
         */
        public Builder transport(VrrpTransport.Factory factory) {
            Validation.setOnce("transport", this.transportFactory);
            this.transportFactory = Validation.notNull("transport", factory);
            return this;
        }

        /**
         * On a planned move (stop, step-down, preemption), how long this node keeps its VIPs after it heard the new
         * master, in [0s, 10s]; default 300 ms. No keepalived equivalent (keepalived removes them at once). At the
         * start of it the VIP manager's listeners are told ({@link io.ha4j.core.VipListener#onAddressReleasing}): a
         * balancer ends the connections that arrived on the VIPs while their FIN can still leave, so keep the
         * balancer's drain below this. Both routers answer for the VIPs meanwhile; the new master already announced
         * them.
         */
        public Builder handoverLinger(Duration linger) {
            Validation.setOnce("handoverLinger", this.handoverLingerOpt);
            this.handoverLingerOpt = Validation.inRange("handoverLinger", linger, Duration.ZERO, Duration.ofSeconds(10));
            return this;
        }

        /**
         * Coordinated preemption, in [10ms, 1s]; off by default. When this router preempts a lower-priority master (and
         * only then: not when it takes over after Master_Down_Interval with no master heard, after a priority-0 advert,
         * or at startup with no master heard; "preempts" means its down timer ran out after it heard a lower-priority
         * master, even if that master has gone quiet since), it becomes master and sends its advert at once, but adds
         * its VIPs and sends its gratuitous ARP / unsolicited NA burst only {@code vipDelay} later. An ha4j master that hears the advert starts leaving at
         * once: it keeps answering for the VIPs for its {@link #handoverLinger}, its balancer stops completing new
         * handshakes on them and finishes what is in flight, and then this router's burst moves the clients. Without it
         * (keepalived's order) the burst goes out before the advert, and a client whose handshake has just completed
         * on the old master sends its next segment here and gets a reset (ha-vrrp/README.md, "Planned handover").
         *
         * <p>Only for a virtual router whose every router is ha4j, with {@code vipDelay} below the others'
         * {@code handoverLinger}: keepalived and FRR remove their VIPs as soon as they hear a higher-priority advert,
         * so with one of them as the old master nobody answers for the VIPs during {@code vipDelay}. No keepalived
         * equivalent.
         *
         * <p>The host is told {@link VrrpState#MASTER} (listeners, {@link #isMaster()}, the leadership SPI) when the
         * VIPs are added, not at the advert: "am I master?" answers yes only once the VIPs are on the interface. If
         * mastership is lost during the delay (a higher advert, a fault, a stop, a step-down) the VIPs are never added
         * and no burst follows; the host saw no MASTER and sees none.
         */
        public Builder coordinatedPreemption(Duration vipDelay) {
            Validation.setOnce("coordinatedPreemption", this.coordinatedPreemptionOpt);
            this.coordinatedPreemptionOpt = Validation.inRange("coordinatedPreemption", vipDelay, Duration.ofMillis(10),
                    Duration.ofSeconds(1));
            return this;
        }

        /** The VIP manager to use when the cluster has none. */
        public Builder vipManager(VipManager manager) {
            Validation.setOnce("vipManager", this.vipManager);
            this.vipManager = Validation.notNull("vipManager", manager);
            return this;
        }

        /**
         * Checks every option and builds the instance.
         *
         * @throws IllegalStateException when a required option ({@link #interfaceName}, {@link #virtualRouterId}) was
         *     not set
         * @throws IllegalArgumentException when options do not fit together (the message names them)
         */
        public VrrpInstance build() {
            return new VrrpInstance(config());
        }

        /** The validated, immutable settings {@link #build()} gives the instance (tests build state machines from it). */
        VrrpConfig config() {
            Validation.required("interfaceName", interfaceName, "1-15 characters");
            int virtualRouterId = Validation.required("virtualRouterId", virtualRouterIdOpt, "in [1, 255]");
            int priority = priorityOpt != null ? priorityOpt : 100;
            int version = versionOpt != null ? versionOpt : 3;
            Duration advertInterval = advertIntervalOpt != null ? advertIntervalOpt : Duration.ofSeconds(1);
            if (version == 2) {
                Validation.inRange("advertInterval", advertInterval, Duration.ofSeconds(1), Duration.ofSeconds(255));
                if (advertInterval.toNanos() % 1_000_000_000L != 0) {
                    throw new IllegalArgumentException("advertInterval must be whole seconds with version 2 (use version 3 "
                            + "for sub-second intervals), was " + Validation.format(advertInterval));
                }
            } else {
                Validation.inRange("advertInterval", advertInterval, Duration.ofMillis(10), Duration.ofMillis(40950));
                if (advertInterval.toNanos() % 10_000_000L != 0) {
                    throw new IllegalArgumentException("advertInterval must be a multiple of 10ms with version 3, was "
                            + Validation.format(advertInterval));
                }
            }
            boolean preempt = preemptOpt == null || preemptOpt;
            if (authPass != null && version != 2) {
                throw new IllegalArgumentException("authPass needs version 2 (VRRPv3 has no authentication), version is " + version);
            }
            List<VirtualAddress> vips = new ArrayList<>();
            for (Function<String, VirtualAddress> entry : vipEntries) {
                vips.add(entry.apply(interfaceName));
            }
            if (vips.size() > 255) {
                throw new IllegalArgumentException("virtualAddress count must be in [0, 255], was " + vips.size());
            }
            for (int i = 0; i < vips.size(); i++) {
                for (int j = i + 1; j < vips.size(); j++) {
                    if (vips.get(i).address().equals(vips.get(j).address())) {
                        throw new IllegalArgumentException("virtualAddress " + vips.get(i).cidr() + " is listed twice");
                    }
                }
            }
            Boolean family = null;
            List<InetAddress> addresses = new ArrayList<>();
            for (VirtualAddress vip : vips) {
                addresses.add(vip.address());
            }
            addresses.addAll(unicastPeers);
            if (unicastSource != null) {
                addresses.add(unicastSource);
            }
            for (InetAddress a : addresses) {
                boolean v6 = a instanceof Inet6Address;
                if (family != null && family != v6) {
                    throw new IllegalArgumentException("virtualAddress, unicastPeer and unicastSource must all be IPv4 or all"
                            + " IPv6 (one instance is one family; use two instances for both)");
                }
                family = v6;
            }
            boolean ipv6 = family != null && family;
            if (ipv6 && version == 2) {
                throw new IllegalArgumentException("IPv6 needs version 3 (VRRPv2 is IPv4 only)");
            }
            for (InetAddress a : addresses) {
                if (!(a instanceof Inet4Address) && !(a instanceof Inet6Address)) {
                    throw new IllegalArgumentException("unsupported address " + a);
                }
            }
            List<Tracking.TrackedInterface> interfaces = new ArrayList<>(trackedInterfaces);
            if (interfaces.stream().noneMatch(t -> t.name().equals(interfaceName))) {
                interfaces.add(new Tracking.TrackedInterface(interfaceName, 0, false));
            }
            return new VrrpConfig(name, interfaceName, virtualRouterId, priority, version, advertInterval, ipv6, vips,
                    authPass, checksumModeOpt != null ? checksumModeOpt : ChecksumMode.WITH_PSEUDO_HEADER, unicastSource,
                    unicastPeers, initialStateOpt != null ? initialStateOpt : VrrpState.BACKUP, preempt,
                    preemptDelayOpt != null ? preemptDelayOpt : Duration.ZERO,
                    garpMasterRepeatOpt != null ? garpMasterRepeatOpt : 5,
                    garpMasterDelayOpt != null ? garpMasterDelayOpt : Duration.ofSeconds(5),
                    garpMasterRefreshOpt != null ? garpMasterRefreshOpt : Duration.ZERO,
                    garpMasterRefreshRepeatOpt != null ? garpMasterRefreshRepeatOpt : 1,
                    lowerPrioNoAdvertOpt != null && lowerPrioNoAdvertOpt, trackedChecks, interfaces,
                    transportFactory != null ? transportFactory : RawSocketTransport.factory(), vipManager,
                    handoverLingerOpt != null ? handoverLingerOpt : DEFAULT_HANDOVER_LINGER,
                    coordinatedPreemptionOpt != null ? coordinatedPreemptionOpt : Duration.ZERO);
        }
    }
}
