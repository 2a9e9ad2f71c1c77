package io.ha4j.vrrp;

import io.ha4j.core.Clock;
import io.ha4j.core.ComponentContext;
import io.ha4j.core.HaComponent;
import io.ha4j.core.HaEvent;
import io.ha4j.core.HealthChecker;
import io.ha4j.core.HealthListener;
import io.ha4j.core.HealthStatus;
import io.ha4j.core.LeaderElection;
import io.ha4j.core.Leadership;
import io.ha4j.core.LeadershipListener;
import io.ha4j.core.Phase;
import io.ha4j.core.ScheduledTask;
import io.ha4j.core.Scheduler;
import io.ha4j.core.VipListener;
import io.ha4j.core.VipManager;
import io.ha4j.core.VirtualAddress;
import io.ha4j.core.internal.Listeners;
import io.ha4j.core.internal.RateLimitedLog;
import io.ha4j.core.internal.Validation;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * preallocated queue and handed over. Receive, decode, state machine, encode and send allocate nothing in steady
 * state. Listeners run on the scheduler thread unless given an executor ({@link VrrpListener} states the
 * contract).
 *
 * <p><b>Transport.</b> Unless {@link Builder#transport} says otherwise, adverts go over
 * {@link RawSocketTransport} (raw IP protocol 112 sockets on the interface, opened in the network namespace of the
 * thread that starts the instance; Linux with CAP_NET_RAW), as keepalived. Without that capability the start fails
 * with the socket's EPERM error; tests and hosts without root use {@link io.ha4j.vrrp.testing.SimulatedLan}.
 *
 * <p><b>Lifecycle.</b> Start once (through {@link io.ha4j.core.HaCluster} or {@link #start(ComponentContext)}); at
 * start the configured VIPs still on the interface (left by a crashed run) are removed first. {@link #close()} is
 * idempotent: a master sends a priority-0 advert and removes its VIPs, then the transport is closed. A crashed
 * process cannot do that; the next start cleans up.
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
 */
public final class VrrpInstance implements HaComponent, LeaderElection {

    private static final Logger LOG = LoggerFactory.getLogger(VrrpInstance.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int RX_QUEUE_SLOTS = 16;
    private static final int IPV4_HEADER = 20;
    /** Ethernet minimum payload: shorter IPv4 packets arrive padded (keepalived tolerates the padding). */
    private static final int ETHERNET_MIN_PAYLOAD = 46;

    private final String name;
    private final String interfaceName;
    private final int vrid;
    private final int priority;
    private final int version;
    private final Duration advertInterval;
    private final int intervalField;
    private final boolean ipv6;
    private final int addressLength;
    private final List<VirtualAddress> vips;
    private final byte[] vipBytes;
    private final int authType;
    private final byte[] authData;
    private final ChecksumMode checksumMode;
    private final InetAddress unicastSource;
    private final List<InetAddress> peers;
    private final byte[][] peerBytes;
    private final InetAddress group;
    private final byte[] groupBytes;
    private final List<TrackedCheck> trackedChecks;
    private final Map<String, Integer> trackedInterfaces;
    private final Map<String, Boolean> trackedInterfacesReverse;
    private final VrrpTransport.Factory transportFactory;
    private final VipManager fallbackVipManager;
    private final VrrpStateMachine.Config machineConfig;

    private final VrrpCounters counters = new VrrpCounters();
    private final Listeners<VrrpListener> listeners = new Listeners<>();
    private final Map<String, Boolean> interfaceUp = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private ComponentContext ownContext;
    private final ByteBuffer tx = ByteBuffer.allocate(VrrpPacket.MAX_LENGTH);
    private final byte[] sourceBytes = new byte[16];
    private final RxQueue rxQueue = new RxQueue();
    private final String[] dropLogKeys = new String[DropReason.values().length];
    private final Runnable timerTask = this::onTimer;
    private final Runnable drainTask = this::drainQueue;

    /** Guards all protocol state; a sync group replaces it with one shared by its members before start. */
    private Object lock = new Object();
    private VrrpSyncGroup syncGroup;
    private VrrpStateMachine machine;
    private volatile VrrpState state = VrrpState.INITIALIZE;
    private volatile boolean closed;
    private ComponentContext context;
    private Scheduler scheduler;
    private Clock clock;
    private VipManager vipManager;
    private VrrpTransport transport;
    private InetAddress sourceAddress;
    private RateLimitedLog rateLimitedLog;
    private ScheduledTask timer;
    private long timerDeadline = VrrpStateMachine.NONE;
    private final VipListener vipListener = this::onVipRemoved;
    private final HealthListener healthListener = (checker, status, cause) -> onTrackingChanged();
    private final VrrpLeadership leadership = new VrrpLeadership(() -> clock);

    private VrrpInstance(Builder b) {
        this.name = b.name;
        this.interfaceName = b.interfaceName;
        this.vrid = b.virtualRouterId;
        this.priority = b.priority;
        this.version = b.version;
        this.advertInterval = b.advertInterval;
        this.intervalField = b.version == 2 ? (int) advertInterval.toSeconds() : (int) (advertInterval.toMillis() / 10);
        this.ipv6 = b.ipv6;
        this.addressLength = ipv6 ? 16 : 4;
        this.vips = List.copyOf(b.vips);
        this.vipBytes = new byte[vips.size() * addressLength];
        for (int i = 0; i < vips.size(); i++) {
            System.arraycopy(vips.get(i).address().getAddress(), 0, vipBytes, i * addressLength, addressLength);
        }
        this.authType = b.authPass == null ? VrrpPacket.AUTH_NONE : VrrpPacket.AUTH_PASS;
        this.authData = new byte[VrrpPacket.AUTH_LENGTH];
        if (b.authPass != null) {
            byte[] pass = b.authPass.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(pass, 0, authData, 0, pass.length);
        }
        this.checksumMode = b.checksumMode;
        this.unicastSource = b.unicastSource;
        this.peers = List.copyOf(b.unicastPeers);
        this.peerBytes = new byte[peers.size()][];
        for (int i = 0; i < peers.size(); i++) {
            peerBytes[i] = peers.get(i).getAddress();
        }
        this.group = ipv6 ? TransportSpec.IPV6_GROUP : TransportSpec.IPV4_GROUP;
        this.groupBytes = group.getAddress();
        this.trackedChecks = List.copyOf(b.trackedChecks);
        this.trackedInterfaces = new LinkedHashMap<>(b.trackedInterfaces);
        this.trackedInterfacesReverse = new LinkedHashMap<>(b.trackedInterfacesReverse);
        this.trackedInterfaces.putIfAbsent(interfaceName, 0);
        this.trackedInterfacesReverse.putIfAbsent(interfaceName, false);
        this.transportFactory = b.transportFactory != null ? b.transportFactory : RawSocketTransport.factory();
        this.fallbackVipManager = b.vipManager;
        VrrpStateMachine.Config c = new VrrpStateMachine.Config();
        c.version = version;
        c.priority = priority;
        c.advertIntervalCs = (int) (advertInterval.toMillis() / 10);
        c.preempt = b.preempt;
        c.preemptDelayNs = b.preemptDelay.toNanos();
        c.startAsMaster = b.initialState == VrrpState.MASTER && b.preempt;
        c.garpRepeat = b.garpMasterRepeat;
        c.garpDelayNs = b.garpMasterDelay.toNanos();
        c.garpRefreshNs = b.garpMasterRefresh.toNanos();
        c.garpRefreshRepeat = b.garpMasterRefreshRepeat;
        c.lowerPrioNoAdvert = b.lowerPrioNoAdvert;
        this.machineConfig = c;
        for (DropReason reason : DropReason.values()) {
            dropLogKeys[reason.ordinal()] = name + ":" + reason.name();
        }
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
     * {@link Builder#vipManager VIP manager}; {@link #close()} stops that thread.
     *
     * @throws IOException when the transport cannot be opened
     */
    public void start() throws IOException {
        if (started.get() || closed) {
            throw new IllegalStateException("VRRP instance '" + name + "' can be started once");
        }
        ComponentContext own = ComponentContext.standalone(name);
        ownContext = own;
        try {
            start(own);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts the instance on the context's scheduler and VIP manager (or the builder's): removes leftover VIPs,
     * opens the transport and enters BACKUP (or MASTER at once for priority 255, or FAULT if a weight-0 tracker
     * is down). Called once.
     *
     * @throws IllegalStateException when started twice or closed, or without a VIP manager
     * @throws IOException when the transport cannot be opened
     */
    @Override
    public void start(ComponentContext context) throws IOException {
        Objects.requireNonNull(context, "context");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("VRRP instance '" + name + "' can be started once");
        }
        if (closed) {
            throw new IllegalStateException("VRRP instance '" + name + "' is closed");
        }
        VipManager vm = context.vipManager().orElse(fallbackVipManager);
        if (vm == null) {
            throw new IllegalStateException("VRRP instance '" + name
                    + "' has no VIP manager: configure one on the cluster or set Builder.vipManager(...)");
        }
        this.context = context;
        this.scheduler = context.scheduler();
        this.clock = scheduler.clock();
        this.vipManager = vm;
        this.rateLimitedLog = new RateLimitedLog(LOG, clock, LOG_INTERVAL_NANOS);
        int leftovers = vm.cleanUp(vips);
        if (leftovers > 0) {
            LOG.warn("VRRP instance '{}': removed {} VIP(s) left behind by a previous run", name, leftovers);
        }
        List<String> watchedInterfaces = new ArrayList<>();
        watchedInterfaces.add(interfaceName);
        trackedInterfaces.keySet().stream().filter(i -> !i.equals(interfaceName)).forEach(watchedInterfaces::add);
        TransportSpec spec = new TransportSpec(name, interfaceName, vrid, ipv6, unicastSource, peers,
                watchedInterfaces);
        transport = transportFactory.create(spec);
        synchronized (lock) {
            machine = new VrrpStateMachine(new Actions(), machineConfig);
        }
        transport.start(new VrrpTransport.Receiver() {
            @Override
            public void onPacket(ByteBuffer payload, PacketMetadata metadata) {
                VrrpInstance.this.onPacket(payload, metadata);
            }

            @Override
            public void interfaceStateChanged(String name, boolean up) {
                VrrpInstance.this.interfaceStateChanged(name, up);
            }
        });
        InetAddress source = Objects.requireNonNull(transport.sourceAddress(), "transport.sourceAddress()");
        if ((source instanceof Inet6Address) != ipv6) {
            throw new IllegalStateException("transport source " + source.getHostAddress() + " is not of the instance's family");
        }
        sourceAddress = source;
        System.arraycopy(source.getAddress(), 0, sourceBytes, 0, addressLength);
        vm.addListener(vipListener, scheduler);
        for (TrackedCheck t : trackedChecks) {
            t.checker.addListener(healthListener, scheduler);
        }
        synchronized (lock) {
            machine.primaryAddress(sourceBytes, addressLength);
            applyTracking(clock.nanoTime());
            machine.start(clock.nanoTime());
            rearm();
        }
    }

    /**
     * Stops: a master sends priority 0 and removes its VIPs; listeners get {@link VrrpListener#onStopped}; the
     * transport is closed. Idempotent, callable from any thread.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (machine != null) {
                machine.shutdown("closed", clock.nanoTime());
            }
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
        }
        if (vipManager != null) {
            vipManager.removeListener(vipListener);
        }
        for (TrackedCheck t : trackedChecks) {
            t.checker.removeListener(healthListener);
        }
        if (transport != null) {
            transport.close();
        }
        if (ownContext != null) {
            ownContext.close();
        }
    }

    // --------------------------------------------------------------------------------------- public view

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
        return vrid;
    }

    /** The configured priority (keepalived's {@code priority}). */
    public int priority() {
        return priority;
    }

    /** The priority after tracking weights; the configured one before start. */
    public int effectivePriority() {
        synchronized (lock) {
            return machine == null ? priority : machine.effectivePriority();
        }
    }

    public int version() {
        return version;
    }

    public Duration advertInterval() {
        return advertInterval;
    }

    /** The current Master_Down_Interval (with the master's advert interval for a v3 backup). */
    public Duration masterDownInterval() {
        synchronized (lock) {
            if (machine != null) {
                return Duration.ofNanos(machine.masterDownIntervalNs());
            }
        }
        return Duration.ofNanos(VrrpStateMachine.masterDownIntervalNs(version, priority,
                (int) (advertInterval.toMillis() / 10)));
    }

    public List<VirtualAddress> virtualAddresses() {
        return vips;
    }

    public String interfaceName() {
        return interfaceName;
    }

    /** The address adverts come from (this router's identity in elections); null before start. */
    public InetAddress sourceAddress() {
        return sourceAddress;
    }

    public boolean isIpv6() {
        return ipv6;
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
        if (!trackedInterfaces.containsKey(interfaceName)) {
            return;
        }
        interfaceUp.put(interfaceName, up);
        onTrackingChanged();
    }

    @Override
    public String toString() {
        return "VrrpInstance[" + name + ", vrid " + vrid + ", " + state + ", prio " + effectivePriority() + "]";
    }

    // ------------------------------------------------------------------------------------------ sync group

    void joinSyncGroup(VrrpSyncGroup group, Object sharedLock) {
        if (started.get()) {
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
        if (closed || machine == null) {
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

    // ------------------------------------------------------------------------------------------- internals

    private void onTimer() {
        synchronized (lock) {
            timer = null;
            timerDeadline = VrrpStateMachine.NONE;
            if (closed) {
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
            if (closed) {
                return;
            }
            applyTracking(clock.nanoTime());
            if (syncGroup != null) {
                syncGroup.faultsChanged(clock.nanoTime());
            } else {
                rearm();
            }
        }
    }

    /** Recomputes effective priority and the tracking fault (lock held). */
    private void applyTracking(long now) {
        int effective = priority;
        String fault = null;
        for (TrackedCheck t : trackedChecks) {
            boolean up = (t.checker.status() == HealthStatus.UP) != t.reverse;
            if (t.weight == 0) {
                if (!up && fault == null) {
                    fault = "tracked check '" + t.checker.name() + "' is " + (t.reverse ? "up (reverse)" : "down");
                }
            } else if (t.weight > 0 ? up : !up) {
                effective += t.weight;
            }
        }
        for (Map.Entry<String, Integer> e : trackedInterfaces.entrySet()) {
            boolean reverse = trackedInterfacesReverse.getOrDefault(e.getKey(), false);
            boolean up = interfaceUp.getOrDefault(e.getKey(), true) != reverse;
            int weight = e.getValue();
            if (weight == 0) {
                if (!up && fault == null) {
                    fault = "interface " + e.getKey() + " is " + (reverse ? "up (reverse)" : "down");
                }
            } else if (weight > 0 ? up : !up) {
                effective += weight;
            }
        }
        effective = priority == 255 ? 255 : Math.max(1, Math.min(254, effective));
        machine.effectivePriority(effective, now);
        machine.fault(VrrpStateMachine.FAULT_TRACKING, fault != null, fault == null ? "tracking recovered" : fault, now);
    }

    boolean hasOwnFault() {
        return machine != null && machine.hasFault(VrrpStateMachine.FAULT_TRACKING);
    }

    private void onVipRemoved(VirtualAddress address) {
        if (!vips.contains(address)) {
            return;
        }
        synchronized (lock) {
            if (closed || machine == null || machine.state() != VrrpState.MASTER) {
                return;
            }
            LOG.warn("VRRP instance '{}': VIP {} was removed by someone else while MASTER; leaving MASTER", name, address);
            machine.vipRemovedExternally("VIP " + address.cidr() + " removed externally", clock.nanoTime());
            rearm();
        }
    }

    // ------------------------------------------------------------------------------------------- receive

    private void onPacket(ByteBuffer payload, PacketMetadata metadata) {
        if (scheduler.inSchedulerThread()) {
            synchronized (lock) {
                if (closed) {
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
                if (!closed) {
                    receive(slot.buffer, 0, slot.length, slot.metadata);
                }
                rxQueue.release();
            }
            rearm();
        }
    }

    /** Checks one packet and feeds it to the state machine (lock held). Never throws on bad input. */
    void receive(ByteBuffer b, int off, int len, PacketMetadata m) {
        DropReason reason = check(b, off, len, m);
        if (reason != null) {
            drop(reason, m);
            return;
        }
        int advertPriority = VrrpPacket.priority(b, off);
        counters.received(advertPriority);
        checkAddressList(b, off, m);
        int intervalCs = version == 2 ? VrrpPacket.interval(b, off, 2) * 100 : VrrpPacket.interval(b, off, 3);
        machine.onAdvert(advertPriority, intervalCs, m.sourceBytes(), m.sourceLength(), clock.nanoTime());
    }

    /** keepalived's receive checks in its order (vrrp.md §1.4); null when the advert is acceptable. */
    private DropReason check(ByteBuffer b, int off, int len, PacketMetadata m) {
        if (m.truncated() || len < VrrpPacket.HEADER_LENGTH || off < 0 || off + len > b.limit() || m.wireLength() > len) {
            return DropReason.TRUNCATED;
        }
        if (VrrpPacket.virtualRouterId(b, off) != vrid) {
            return DropReason.OTHER_VRID;
        }
        VrrpState s = machine.state();
        if (s != VrrpState.BACKUP && s != VrrpState.MASTER) {
            return DropReason.NOT_LISTENING;
        }
        int count = VrrpPacket.count(b, off);
        int expected = VrrpPacket.length(version, count, addressLength);
        boolean padded = len > expected && !ipv6 && IPV4_HEADER + len <= ETHERNET_MIN_PAYLOAD;
        if (len != expected && !padded) {
            return DropReason.LENGTH;
        }
        boolean multicast = peers.isEmpty();
        if (multicast && m.ttl() >= 0 && m.ttl() != 255) {
            return DropReason.TTL;
        }
        if (VrrpPacket.version(b, off) != version) {
            return DropReason.VERSION;
        }
        if (version == 2) {
            int type = VrrpPacket.authType(b, off);
            if (type > VrrpPacket.AUTH_AH) {
                return DropReason.INVALID_AUTH_TYPE;
            }
            if (type != authType) {
                return DropReason.AUTH_TYPE_MISMATCH;
            }
            if (type == VrrpPacket.AUTH_PASS && !passwordMatches(b, off + expected - VrrpPacket.AUTH_LENGTH)) {
                return DropReason.AUTH_FAILURE;
            }
            if (VrrpPacket.interval(b, off, 2) != intervalField) {
                return DropReason.INTERVAL_MISMATCH;
            }
        }
        if (VrrpPacket.type(b, off) != VrrpPacket.TYPE_ADVERTISEMENT) {
            return DropReason.TYPE;
        }
        if (!checksumValid(b, off, expected, m)) {
            return DropReason.CHECKSUM;
        }
        if (m.destinationLength() == addressLength && isGroup(m.destinationBytes()) != multicast) {
            return DropReason.DESTINATION;
        }
        if (!multicast && !isPeer(m)) {
            return DropReason.UNICAST_SOURCE;
        }
        return null;
    }

    private boolean passwordMatches(ByteBuffer b, int at) {
        int diff = 0;
        for (int i = 0; i < VrrpPacket.AUTH_LENGTH; i++) {
            diff |= b.get(at + i) ^ authData[i];
        }
        return diff == 0;
    }

    private boolean checksumValid(ByteBuffer b, int off, int length, PacketMetadata m) {
        if (ipv6) {
            if (m.checksumVerified()) {
                return true;
            }
            if (m.sourceLength() != 16) {
                return false;
            }
            byte[] dst = m.destinationLength() == 16 ? m.destinationBytes() : groupBytes;
            return VrrpPacket.computeChecksum(b, off, length, true, false, m.sourceBytes(), dst) == 0;
        }
        if (VrrpPacket.computeChecksum(b, off, length, false, false, null, null) == 0) {
            return true; // v2, or v3 with the message-only convention (RFC 9568)
        }
        if (version == 3 && m.sourceLength() == 4) {
            byte[] dst = m.destinationLength() == 4 ? m.destinationBytes() : groupBytes;
            if (VrrpPacket.computeChecksum(b, off, length, false, true, m.sourceBytes(), dst) == 0) {
                return true;
            }
            // keepalived <= 1.3.6 put 224.0.0.18 in the pseudo-header of unicast adverts too (its old_unicast_checksum)
            return dst != groupBytes
                    && VrrpPacket.computeChecksum(b, off, length, false, true, m.sourceBytes(), groupBytes) == 0;
        }
        return false;
    }

    private boolean isGroup(byte[] address) {
        for (int i = 0; i < addressLength; i++) {
            if (address[i] != groupBytes[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean isPeer(PacketMetadata m) {
        if (m.sourceLength() != addressLength) {
            return false;
        }
        byte[] source = m.sourceBytes();
        for (byte[] peer : peerBytes) {
            boolean same = true;
            for (int i = 0; i < addressLength && same; i++) {
                same = peer[i] == source[i];
            }
            if (same) {
                return true;
            }
        }
        return false;
    }

    private void checkAddressList(ByteBuffer b, int off, PacketMetadata m) {
        int count = VrrpPacket.count(b, off);
        boolean same = count * addressLength == vipBytes.length;
        for (int i = 0; same && i < vipBytes.length; i++) {
            same = b.get(off + VrrpPacket.HEADER_LENGTH + i) == vipBytes[i];
        }
        if (!same) {
            counters.countAddressListMismatch();
            rateLimitedLog.warn(name + ":addresses", "VRRP instance '{}': advert from {} lists other addresses than ours"
                    + " (VRID collision or different configuration)", name, PacketMetadata.address(m.sourceBytes(), m.sourceLength()));
        }
    }

    private void drop(DropReason reason, PacketMetadata m) {
        counters.drop(reason);
        if (reason != DropReason.OTHER_VRID) {
            rateLimitedLog.warn(dropLogKeys[reason.ordinal()], "VRRP instance '{}': dropped packet from {}: {}", name,
                    PacketMetadata.address(m.sourceBytes(), m.sourceLength()), reason);
        }
    }

    // ---------------------------------------------------------------------------------------------- send

    private void sendAdvert(int advertPriority) {
        int length = VrrpPacket.encode(tx, 0, version, vrid, advertPriority, intervalField, vipBytes, vips.size(),
                addressLength, authType, authType == VrrpPacket.AUTH_PASS ? authData : null);
        if (peers.isEmpty()) {
            sendTo(length, group, groupBytes, advertPriority);
        } else {
            for (int i = 0; i < peerBytes.length; i++) {
                sendTo(length, peers.get(i), peerBytes[i], advertPriority);
            }
        }
    }

    private void sendTo(int length, InetAddress destination, byte[] destinationBytes, int advertPriority) {
        VrrpPacket.putChecksum(tx, 0, 0);
        boolean pseudoHeader = version == 3 && checksumMode == ChecksumMode.WITH_PSEUDO_HEADER;
        VrrpPacket.putChecksum(tx, 0,
                VrrpPacket.computeChecksum(tx, 0, length, ipv6, pseudoHeader, sourceBytes, destinationBytes));
        tx.limit(length).position(0);
        try {
            transport.send(tx, destination);
            counters.sent(advertPriority);
        } catch (IOException | RuntimeException e) {
            counters.sendError();
            rateLimitedLog.warn(name + ":send", "VRRP instance '{}': sending an advert to {} failed: {}", name,
                    destination.getHostAddress(), e.toString());
        } finally {
            tx.clear();
        }
    }

    private final class Actions implements VrrpActions {

        @Override
        public void sendAdvert(int advertPriority) {
            VrrpInstance.this.sendAdvert(advertPriority);
        }

        @Override
        public void addVips() {
            for (VirtualAddress vip : vips) {
                try {
                    vipManager.add(vip);
                } catch (IOException | RuntimeException e) {
                    LOG.error("VRRP instance '{}': adding VIP {} failed", name, vip, e);
                }
            }
        }

        @Override
        public void removeVips() {
            for (VirtualAddress vip : vips) {
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
                for (VirtualAddress vip : vips) {
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
        public void stateChanged(VrrpState from, VrrpState to, String reason) {
            state = to;
            if (to == VrrpState.MASTER) {
                counters.countBecameMaster();
            } else if (from == VrrpState.MASTER) {
                counters.countReleasedMaster();
            }
            LOG.info("VRRP instance '{}' (vrid {}, prio {}): {} -> {} ({})", name, vrid, machine.effectivePriority(), from, to,
                    reason);
            long now = clock.nanoTime();
            context.publish(new HaEvent(name, from.name(), to.name(), reason, now));
            listeners.forEach(l -> l.stateChanged(VrrpInstance.this, from, to, reason));
            if (syncGroup != null) {
                syncGroup.memberChanged(VrrpInstance.this, from, to, reason, now);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- rx queue

    /** Fixed slots between a transport's receive thread and the scheduler thread; full means drop. */
    private final class RxQueue {
        private final Slot[] slots = new Slot[RX_QUEUE_SLOTS];
        private int head;
        private int size;

        RxQueue() {
            for (int i = 0; i < slots.length; i++) {
                slots[i] = new Slot();
            }
        }

        /** Copies the packet in; returns whether the consumer must be woken (the queue was empty). */
        synchronized boolean offer(ByteBuffer payload, PacketMetadata metadata) {
            if (size == slots.length) {
                counters.drop(DropReason.QUEUE_FULL);
                return false;
            }
            Slot slot = slots[(head + size) % slots.length];
            int n = Math.min(payload.remaining(), VrrpPacket.MAX_LENGTH);
            for (int i = 0; i < n; i++) {
                slot.buffer.put(i, payload.get(payload.position() + i));
            }
            slot.length = n;
            slot.metadata.copyFrom(metadata);
            if (payload.remaining() > n) {
                slot.metadata.truncated(true);
            }
            size++;
            return size == 1;
        }

        synchronized Slot peek() {
            return size == 0 ? null : slots[head];
        }

        synchronized void release() {
            head = (head + 1) % slots.length;
            size--;
        }

        final class Slot {
            final ByteBuffer buffer = ByteBuffer.allocate(VrrpPacket.MAX_LENGTH);
            final PacketMetadata metadata = new PacketMetadata();
            int length;
        }
    }

    private static final class TrackedCheck {
        final HealthChecker checker;
        final int weight;
        final boolean reverse;

        TrackedCheck(HealthChecker checker, int weight, boolean reverse) {
            this.checker = checker;
            this.weight = weight;
            this.reverse = reverse;
        }
    }

    // --------------------------------------------------------------------------------------------- builder

    /**
     * Builds a {@link VrrpInstance}. Options carry keepalived's names in their Javadoc and its defaults; each is set
     * at most once, and {@link #build()} checks ranges and combinations with messages that name the option.
     */
    public static final class Builder {
        private static final Duration MAX_PREEMPT_DELAY = Duration.ofSeconds(1000);

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
        private final List<String> vipSpecs = new ArrayList<>();
        private final List<VirtualAddress> vipObjects = new ArrayList<>();
        private InetAddress unicastSource;
        private final List<InetAddress> unicastPeers = new ArrayList<>();
        private Integer garpMasterRepeatOpt;
        private Duration garpMasterDelayOpt;
        private Duration garpMasterRefreshOpt;
        private Integer garpMasterRefreshRepeatOpt;
        private Boolean lowerPrioNoAdvertOpt;
        private final List<TrackedCheck> trackedChecks = new ArrayList<>();
        private final Map<String, Integer> trackedInterfaces = new LinkedHashMap<>();
        private final Map<String, Boolean> trackedInterfacesReverse = new LinkedHashMap<>();
        private VrrpTransport.Factory transportFactory;
        private VipManager vipManager;

        // resolved at build()
        private int virtualRouterId;
        private int priority;
        private int version;
        private Duration advertInterval;
        private VrrpState initialState;
        private boolean preempt;
        private Duration preemptDelay;
        private ChecksumMode checksumMode;
        private boolean ipv6;
        private final List<VirtualAddress> vips = new ArrayList<>();
        private int garpMasterRepeat;
        private Duration garpMasterDelay;
        private Duration garpMasterRefresh;
        private int garpMasterRefreshRepeat;
        private boolean lowerPrioNoAdvert;

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
            vipSpecs.add(Validation.notNull("virtualAddress", cidr));
            return this;
        }

        /** One {@code virtual_ipaddress} entry, possibly on another interface ({@code dev}). */
        public Builder virtualAddress(VirtualAddress vip) {
            vipObjects.add(Validation.notNull("virtualAddress", vip));
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
            for (TrackedCheck t : trackedChecks) {
                if (t.checker == checker) {
                    throw new IllegalArgumentException("trackCheck '" + checker.name() + "' is listed twice");
                }
            }
            trackedChecks.add(new TrackedCheck(checker, weight, reverse));
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
            if (trackedInterfaces.containsKey(interfaceName)) {
                throw new IllegalArgumentException("trackInterface " + interfaceName + " is listed twice");
            }
            trackedInterfaces.put(interfaceName, weight);
            trackedInterfacesReverse.put(interfaceName, reverse);
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

        /** The VIP manager to use when the cluster has none. */
        public Builder vipManager(VipManager manager) {
            Validation.setOnce("vipManager", this.vipManager);
            this.vipManager = Validation.notNull("vipManager", manager);
            return this;
        }

        /** Checks every option and builds the instance. */
        public VrrpInstance build() {
            Validation.notNull("interfaceName", interfaceName);
            if (virtualRouterIdOpt == null) {
                throw new IllegalArgumentException("virtualRouterId must be set, in [1, 255]");
            }
            virtualRouterId = virtualRouterIdOpt;
            priority = priorityOpt != null ? priorityOpt : 100;
            version = versionOpt != null ? versionOpt : 3;
            advertInterval = advertIntervalOpt != null ? advertIntervalOpt : Duration.ofSeconds(1);
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
            preempt = preemptOpt == null || preemptOpt;
            initialState = initialStateOpt != null ? initialStateOpt : VrrpState.BACKUP;
            preemptDelay = preemptDelayOpt != null ? preemptDelayOpt : Duration.ZERO;
            checksumMode = checksumModeOpt != null ? checksumModeOpt : ChecksumMode.WITH_PSEUDO_HEADER;
            garpMasterRepeat = garpMasterRepeatOpt != null ? garpMasterRepeatOpt : 5;
            garpMasterDelay = garpMasterDelayOpt != null ? garpMasterDelayOpt : Duration.ofSeconds(5);
            garpMasterRefresh = garpMasterRefreshOpt != null ? garpMasterRefreshOpt : Duration.ZERO;
            garpMasterRefreshRepeat = garpMasterRefreshRepeatOpt != null ? garpMasterRefreshRepeatOpt : 1;
            lowerPrioNoAdvert = lowerPrioNoAdvertOpt != null && lowerPrioNoAdvertOpt;
            if (authPass != null && version != 2) {
                throw new IllegalArgumentException("authPass needs version 2 (VRRPv3 has no authentication), version is " + version);
            }
            vips.clear();
            for (String spec : vipSpecs) {
                vips.add(VirtualAddress.parse(spec, interfaceName));
            }
            vips.addAll(vipObjects);
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
            ipv6 = family != null && family;
            if (ipv6 && version == 2) {
                throw new IllegalArgumentException("IPv6 needs version 3 (VRRPv2 is IPv4 only)");
            }
            for (InetAddress a : addresses) {
                if (!(a instanceof Inet4Address) && !(a instanceof Inet6Address)) {
                    throw new IllegalArgumentException("unsupported address " + a);
                }
            }
            return new VrrpInstance(this);
        }
    }
}
