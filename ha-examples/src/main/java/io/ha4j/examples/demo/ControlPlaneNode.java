package io.ha4j.examples.demo;

import io.ha4j.core.Clock;
import io.ha4j.core.HaCluster;
import io.ha4j.core.HaEvent;
import io.ha4j.core.HealthCheck;
import io.ha4j.core.HealthChecker;
import io.ha4j.core.HttpCheck;
import io.ha4j.core.Scheduler;
import io.ha4j.core.TlsOptions;
import io.ha4j.core.VipManager;
import io.ha4j.core.VirtualAddress;
import io.ha4j.proxy.Backend;
import io.ha4j.proxy.TcpBalancer;
import io.ha4j.vrrp.VrrpInstance;
import io.ha4j.vrrp.VrrpListener;
import io.ha4j.vrrp.VrrpState;
import io.ha4j.vrrp.VrrpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One control-plane node, as a user of ha4j would build it in front of a kube-apiserver: the stand-in
 * apiserver on {@code :6443}, and one {@link HaCluster} holding
 *
 * <ul>
 *   <li>a {@link TcpBalancer} on {@code :7443} spreading to the three apiservers, each checked with the
 *       Kubernetes preset (HTTPS {@code GET /readyz} expect 200, inter 2 s, fastinter 1 s, downinter 5 s,
 *       rise 2, fall 3), trusting the cluster CA;</li>
 *   <li>a {@link VrrpInstance} for the VIP (VRRPv2 with {@code auth_type PASS} like the seeds' keepalived.conf),
 *       tracking "this node's balancer has an apiserver to send to" with
 *       weight 0, so a node whose balancer could only refuse clients goes FAULT instead of holding the VIP
 *       (what keepalived users do with {@code track_script} on HAProxy).</li>
 * </ul>
 *
 * The same class runs in a node's own JVM inside its network namespace ({@link DemoNode}: Linux VIP manager,
 * raw-socket VRRP) and in the in-process simulation (in-memory VIP manager, simulated LAN).
 */
final class ControlPlaneNode implements AutoCloseable {

    static final String BALANCER = "apiserver";
    static final String VRRP_INSTANCE = "VI_1";
    static final int VIRTUAL_ROUTER_ID = 51;
    /** The seeds' keepalived {@code auth_type PASS}; it keeps misconfigured routers apart, it is no security. */
    static final String AUTH_PASS = "42";
    /**
     * The balancer's connect timeout to an apiserver. The nodes share one L2 segment, where a connect takes
     * well under a millisecond; a dead node swallows SYNs, and with the preset's 5 s every client sent there
     * waits 5 s before being redispatched, until the health check marks the node down.
     */
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
    /**
     * Coordinated preemption's delay ({@link VrrpInstance.Builder#coordinatedPreemption}): a node that takes the VIP
     * back advertises first and adds the VIP this much later. Every router of the demo is ha4j, as that option needs;
     * meanwhile the old master's balancer drops new SYNs on the VIP and finishes requests in flight (a request on a
     * new connection takes a few milliseconds here), and its clients' next SYN goes to the new master. Below the
     * default {@code handoverLinger} (300 ms), so the old master still answers for the VIP until the burst.
     */
    static final Duration COORDINATED_PREEMPTION = Duration.ofMillis(100);
    /** How long a stopping balancer lets established connections (watches) finish before closing them. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(2);

    /**
     * How one node is laid out.
     *
     * @param name           node name, also the backend name other balancers know it by
     * @param apiserver      where its apiserver listens
     * @param balancer       where its balancer listens
     * @param backends       every apiserver of the control plane, by node name
     * @param vip            the VIP on the node's interface
     * @param priority       VRRP priority
     * @param stateMaster    keepalived's {@code state MASTER} hint (the seeds give it to the first node): take over
     *                       after one advert interval instead of Master_Down_Interval; ignored with nopreempt
     * @param preempt        keepalived's preempt (true) or nopreempt
     * @param advertInterval VRRP advertisement interval
     * @param unicastPeers   VRRP unicast peers; empty for multicast
     */
    record Spec(String name, InetSocketAddress apiserver, InetSocketAddress balancer, Map<String, InetSocketAddress> backends,
                VirtualAddress vip, int priority, boolean stateMaster, boolean preempt, Duration advertInterval, List<InetAddress> unicastPeers) {
    }

    private final Spec spec;
    private final DemoPki pki;
    private final VipManager vipManager;
    private final VrrpTransport.Factory transport;
    private final Consumer<DemoEvent> events;
    private final Clock clock;
    private final Scheduler scheduler;
    private StandInApiServer apiserver;
    private TcpBalancer balancer;
    private VrrpInstance vrrp;
    private HaCluster cluster;
    private volatile boolean killed;

    /**
     * @param clock     stamps the node's events: the system clock, shared by every process of the demo
     * @param scheduler the cluster's scheduler, or {@code null} for the cluster's own timer thread (the
     *                  simulation passes its simulated router's, whose time follows the real clock)
     */
    ControlPlaneNode(Spec spec, DemoPki pki, VipManager vipManager, VrrpTransport.Factory transport,
                     Consumer<DemoEvent> events, Clock clock, Scheduler scheduler) {
        this.spec = spec;
        this.scheduler = scheduler;
        this.pki = pki;
        this.vipManager = vipManager;
        this.transport = transport;
        this.events = events;
        this.clock = clock;
    }

    /** Starts the apiserver, then the cluster (balancer, then VRRP); reports each backend's health first. */
    void start() throws Exception {
        apiserver = new StandInApiServer(spec.name(), spec.apiserver(), pki.serverContext(), clock, this::emit);
        TlsOptions trustClusterCa = TlsOptions.trustCaFile(pki.caPem());
        TcpBalancer.Builder b = TcpBalancer.builder(BALANCER)
                .bind(spec.balancer())
                .ioThreads(1)
                .connectTimeout(CONNECT_TIMEOUT)
                .drainTimeout(DRAIN_TIMEOUT)
                .healthCheck(backend -> HttpCheck.kubernetesReadyz(backend.address().getAddress().getHostAddress(),
                        backend.address().getPort(), trustClusterCa));
        spec.backends().forEach((n, a) -> b.backend(Backend.of(n, a.getAddress().getHostAddress(), a.getPort())));
        balancer = b.build();
        HealthChecker canServe = HealthChecker.builder("balancer-has-backend")
                .check(HealthCheck.of("balancer '" + BALANCER + "' has an apiserver up", this::anyBackendUp))
                .inter(Duration.ofSeconds(1))
                .rise(1)
                .fall(2)
                .initialState(HealthChecker.InitialState.FULLY_UP) // its first run may come before the balancer's start
                .build();
        vrrp = vrrpInstance(canServe);
        HaCluster.Builder c = HaCluster.builder()
                .name(spec.name())
                .vipManager(vipManager)
                .add(balancer)
                .add(canServe)
                .add(vrrp)
                .listener(this::onEvent);
        if (scheduler != null) {
            c.scheduler(scheduler);
        }
        cluster = c.build();
        cluster.start();
        for (String backend : balancer.backendNames()) {
            emit(new DemoEvent(clock.nanoTime(), spec.name(), DemoEvent.Kind.BACKEND, backend,
                    balancer.healthChecker(backend).status().name(), "at start"));
        }
        emit(new DemoEvent(clock.nanoTime(), spec.name(), DemoEvent.Kind.NODE, "", "STARTED",
                "balancer on :" + spec.balancer().getPort() + ", VRRP priority " + spec.priority()));
    }

    private VrrpInstance vrrpInstance(HealthChecker canServe) {
        VrrpInstance.Builder v = VrrpInstance.builder(VRRP_INSTANCE)
                .interfaceName(spec.vip().interfaceName())
                .virtualRouterId(VIRTUAL_ROUTER_ID)
                .version(2)
                .authPass(AUTH_PASS)
                .priority(spec.priority())
                .advertInterval(spec.advertInterval())
                .virtualAddress(spec.vip())
                .preempt(spec.preempt())
                .coordinatedPreemption(COORDINATED_PREEMPTION)
                .initialState(spec.stateMaster() ? VrrpState.MASTER : VrrpState.BACKUP)
                .trackCheck(canServe, 0)
                .transport(transport);
        for (InetAddress peer : spec.unicastPeers()) {
            v.unicastPeer(peer.getHostAddress());
        }
        VrrpInstance instance = v.build();
        instance.addListener(new VrrpListener() {
            @Override
            public void stateChanged(VrrpInstance i, VrrpState from, VrrpState to, String reason) {
                emit(new DemoEvent(clock.nanoTime(), spec.name(), DemoEvent.Kind.VRRP, VRRP_INSTANCE, to.name(),
                        reason));
            }
        });
        return instance;
    }

    private boolean anyBackendUp() {
        TcpBalancer b = balancer;
        try {
            return b != null && b.backendNames().stream().anyMatch(n -> b.healthChecker(n).isUp());
        } catch (IllegalStateException e) {
            return false; // the balancer is not started yet or already closed
        }
    }

    private void onEvent(HaEvent e) {
        String prefix = BALANCER + "/";
        if (e.source().startsWith(prefix)) {
            emit(new DemoEvent(clock.nanoTime(), spec.name(), DemoEvent.Kind.BACKEND,
                    e.source().substring(prefix.length()), e.state(), e.reason()));
        }
    }

    private void emit(DemoEvent e) {
        if (!killed) {
            events.accept(e);
        }
    }

    /** The stand-in apiserver starts shutting down ({@code /readyz} 503). */
    void shutDownApiserver() {
        apiserver.shutDown();
    }

    /** The stand-in apiserver stops. */
    void stopApiserver() {
        apiserver.close();
    }

    /**
     * What a crash leaves of the node in the simulation: its connections and listeners are gone at once (as
     * with {@code kill -9}); its VRRP instance is already silenced by the simulated router's crash and keeps
     * its VIP, like a host that lost power. A killed process reports nothing more: events are dropped from now
     * on. {@link #close()} later releases the rest.
     */
    void kill() {
        killed = true;
        if (balancer != null) {
            balancer.close(Duration.ZERO);
        }
        if (apiserver != null) {
            apiserver.close();
        }
    }

    /** Graceful stop: VRRP first (priority 0, VIP released), then the balancer, then the apiserver. */
    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
        }
        if (apiserver != null) {
            apiserver.close();
        }
        emit(new DemoEvent(clock.nanoTime(), spec.name(), DemoEvent.Kind.NODE, "", "STOPPED", "cluster closed"));
    }
}
